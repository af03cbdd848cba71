package api

import (
	"net/http"

	"github.com/sello-pki/sello/internal/errs"
)

// fileOnline is the applicant's online request (no certificate needed): the
// e-mail is verified before an agent sees it (RULES R9).
func (h *Handler) fileOnline(w http.ResponseWriter, r *http.Request) {
	var b fileBody
	if err := decode(r, &b); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	f, err := h.ra.FileOnline(r.Context(), b.request())
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	// An anonymous filer gets the folio and the times, nothing recorded about
	// the person: the signed acknowledgement (which names the filer) and the
	// e-mail token go only to the institutional address.
	writeJSON(w, http.StatusCreated, map[string]any{"folio": f.Request.Folio, "state": f.Request.State,
		"acknowledgement": map[string]any{"folio": f.Ack.Ack.Folio, "receivedAt": f.Ack.Ack.ReceivedAt, "filedAt": f.Ack.Ack.FiledAt}})
}

func (h *Handler) verifyEmail(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Token string `json:"token"`
	}
	if err := decode(r, &b); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	q, err := h.ra.VerifyEmail(r.Context(), r.PathValue("folio"), b.Token)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"folio": q.Folio, "state": q.State})
}

// verifyDocument is the online check a printed document's QR code leads to
// (RULES G4): /verificar/{folio}?codigo=XXXX-XXXX-XXXX-XXXX.
func (h *Handler) verifyDocument(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("codigo")
	if code == "" {
		code = r.URL.Query().Get("code")
	}
	if code == "" {
		h.fail(w, r, nil, errs.New(errs.Malformed, "type the verification code printed on the document (?codigo=…)"))
		return
	}
	a, err := h.ra.VerifyDocument(r.Context(), r.PathValue("folio"), code)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"valid": true, "folio": a.Ack.Folio, "action": a.Ack.ActionES,
		"receivedAt": a.Ack.ReceivedAt, "receivingBody": a.Ack.ReceivingBody, "filer": a.Ack.Filer.Name})
}
