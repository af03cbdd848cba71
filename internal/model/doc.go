// Package model holds the records Sello keeps (organisations, agents,
// people, enrollments, certificates, status changes, credentials,
// acknowledgements, audit events, outbox jobs) and their constants. Package
// store reads and writes them; package ra and the front ends use them
// without depending on the store, through the interfaces ra owns.
package model
