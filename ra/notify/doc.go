// Package notify owns the e-mails Sello sends to holders and applicants:
// the notices the laws require in writing (deficiencies, refusals, "not
// presented" determinations, suspensions, revocations), acknowledgements,
// credentials and reminders.
//
// An e-mail is a job in the durable outbox (sealed: store.Tx.EnqueueSealed,
// opened when claimed and cleared once done or dead), written with
// Enqueue in the same transaction as the decision it announces, so a decision
// is never recorded without its notice nor a notice sent for a decision that
// rolled back. A Worker later claims the jobs, renders the embedded templates
// (Spanish by default, English on request) and hands them to a Sender
// (SMTPSender in production). Delivery is at least once: a crash between the
// SMTP server's acceptance and the job's completion sends the e-mail again;
// the dedup key only prevents enqueueing it twice.
//
// E-mail addresses and message bodies are personal data (RULES G6): logs
// carry the job id, the template and a keyed tag of the recipient
// (RecipientTag, with the data key's blind index), never the address, a
// plain hash of it or the text, and SMTP error texts are scrubbed of the address
// before they are logged or stored.
package notify
