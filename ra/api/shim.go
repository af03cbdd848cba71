package api

// MERGE: replaced by internal/problem and the strict decoder of the contract branch.

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
)

func problemLang(r *http.Request) string {
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "en") {
		return "en"
	}
	return "es"
}

func writeProblem(w http.ResponseWriter, lang string, err error) { problem.Write(w, err) }

func decodeJSON(r io.Reader, limit int64, dst any) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "cannot read the request body")
	}
	if int64(len(body)) > limit {
		return errs.New(errs.TooLarge, "the JSON body is larger than %d bytes", limit)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return errs.New(errs.Malformed, "invalid JSON: %s", err.Error()+strconv.Itoa(0)[:0])
	}
	if dec.More() {
		return errs.New(errs.Malformed, "invalid JSON: data after the object")
	}
	return nil
}
