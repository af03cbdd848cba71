package api

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/documents"
)

// maxUpload bounds an upload's multipart body (the file itself: 10 MiB).
const maxUpload = 11 << 20

// uploadRoute stores a document or biometric capture (multipart form:
// kind, issuedOn for documents, file). The real content type is checked;
// the bytes are sealed at rest (ra/documents).
func (h *Handler) uploadRoute() route {
	return route{method: post, path: "/api/v1/requests/{id}/documents", status: http.StatusCreated,
		summary:  "Upload a document or biometric capture (multipart: kind, issuedOn, file)",
		consumes: "multipart/form-data", out: reflect.TypeFor[Document](),
		run: func(c *call) error {
			in, err := readUpload(c.w, c.r)
			if err != nil {
				return apiRefusal{err}
			}
			doc, err := h.ra.Upload(c.r.Context(), c.actor, c.id, ra.Upload{Kind: in.kind, IssuedOn: in.issuedOn,
				DeclaredType: in.declared, Data: in.data})
			if err != nil {
				return err
			}
			writeJSON(c.w, http.StatusCreated, documentOf(doc))
			return nil
		}}
}

type upload struct {
	kind, declared string
	issuedOn       time.Time
	data           []byte
}

// readUpload reads and checks the whole form before anything is stored.
func readUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errs.New(errs.UnsupportedType, "send multipart/form-data with the fields kind, issuedOn and file")
	}
	u := &upload{}
	var issuedOn string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errs.New(errs.TooLarge, "the upload is too large or malformed")
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			u.kind = strings.TrimSpace(string(b))
		case "issuedOn":
			b, _ := io.ReadAll(io.LimitReader(part, 32))
			issuedOn = strings.TrimSpace(string(b))
		case "file":
			u.declared = part.Header.Get("Content-Type")
			if u.data, err = documents.ReadLimited(part, 10<<20); err != nil {
				return nil, err
			}
		default:
			return nil, errs.New(errs.Malformed, "unknown form field %q (want kind, issuedOn, file)", part.FormName())
		}
	}
	if u.data == nil {
		return nil, errs.New(errs.Malformed, "no file in the upload")
	}
	if issuedOn != "" {
		t, err := time.Parse("2006-01-02", issuedOn)
		if err != nil {
			return nil, errs.New(errs.Malformed, "issuedOn %q is not a date (YYYY-MM-DD)", issuedOn)
		}
		u.issuedOn = t
	}
	return u, nil
}

// documentRoute downloads a document (auditors; agents of its organisation).
func (h *Handler) documentRoute() route {
	return route{method: get, path: "/api/v1/documents/{id}", status: http.StatusOK, produces: "application/octet-stream",
		summary: "Download a document (auditors; agents of its organisation)",
		run: func(c *call) error {
			doc, data, err := h.ra.Document(c.r.Context(), c.actor, c.id)
			if err != nil {
				return err
			}
			c.w.Header().Set("Content-Type", doc.ContentType)
			c.w.Header().Set("Cache-Control", "no-store")
			c.w.Header().Set("X-Content-Type-Options", "nosniff")
			c.w.Header().Set("Content-Disposition", "attachment")
			c.w.Write(data)
			return nil
		}}
}
