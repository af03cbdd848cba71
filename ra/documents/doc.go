// Package documents checks, seals and keeps what an applicant brings to
// enrolment: the documents (ID copy, appointment letter, proof of address,
// payment receipt, signed request form and agreement…; RULES R1, R2, R5, R8,
// R10) and the biometric evidence (frontal photo, fingerprints, handwritten
// signature; RULES R7).
//
// Every upload is checked from its bytes (Check): the real type is sniffed
// and proven (PDF header and trailer, decodable JPEG or PNG header), a
// declared type that disagrees is refused, sizes and image dimensions are
// bounded. The content is sealed with AES-256-GCM (internal/sealed) under an
// associated data that binds it to its kind and SHA-256, so a ciphertext
// cannot be passed off as another document (RULES G6). Nothing is deleted: a
// re-upload of a kind for an enrollment supersedes the previous version,
// which stays readable (RULES G5). Every upload and every fetch, refused ones
// included, goes to the audit log with the digest and never the content.
//
// The package imports ra for Actor; ra must never import it.
package documents
