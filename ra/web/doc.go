// Package web serves the public pages behind the links Sello hands out:
// the online check of a printed document (RULES G4), the e-mail
// verification link and the applicant's status page by folio. The pages
// are simple Spanish HTML (English with ?lang=en), rendered with
// html/template from embedded files; the portal issue restyles them. Like
// every front end, it calls ra methods only and never the store. The
// pages show personal data, so they are mounted on the HTTPS listener
// only (internal/server refuses them over plain HTTP).
package web
