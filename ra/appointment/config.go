package appointment

import (
	"github.com/sello-pki/sello/internal/clock"
)

// The source kinds.
const (
	KindHTTP = "http"
	KindSQL  = "sql"
	KindCSV  = "csv"
	KindLDAP = "ldap"
)

// Config selects and configures one HR source. Exactly the section named by
// Kind is filled, e.g.
//
//	kind: csv
//	name: rh-tijuana
//	csv:
//	  file: /var/lib/sello/rh/plantilla.csv
//	  ...
type Config struct {
	Kind string      `yaml:"kind"` // http, sql, csv or ldap
	Name string      `yaml:"name"` // recorded as Appointment.Source
	HTTP *HTTPConfig `yaml:"http"`
	SQL  *SQLConfig  `yaml:"sql"`
	CSV  *CSVConfig  `yaml:"csv"`
	LDAP *LDAPConfig `yaml:"ldap"`
}

// New checks cfg and builds the source it describes. A section other than
// the one Kind names is refused rather than ignored: it means the operator
// meant something else. A SQL source holds connections; release them with
// its Close (the returned Source implements io.Closer then).
func New(cfg Config, clk clock.Clock) (Source, error) {
	filled := map[string]bool{
		KindHTTP: cfg.HTTP != nil,
		KindSQL:  cfg.SQL != nil,
		KindCSV:  cfg.CSV != nil,
		KindLDAP: cfg.LDAP != nil,
	}
	switch cfg.Kind {
	case KindHTTP, KindSQL, KindCSV, KindLDAP:
	case "":
		return nil, badConfig("kind", "", "required: http, sql, csv or ldap")
	default:
		return nil, badConfig("kind", "", "%q; want http, sql, csv or ldap", cfg.Kind)
	}
	if !filled[cfg.Kind] {
		return nil, badConfig(cfg.Kind, "", "kind is %s but the %s section is missing", cfg.Kind, cfg.Kind)
	}
	for _, k := range []string{KindHTTP, KindSQL, KindCSV, KindLDAP} {
		if k != cfg.Kind && filled[k] {
			return nil, badConfig(k, "", "kind is %s but a %s section is present", cfg.Kind, k)
		}
	}
	// Each branch returns through ok so that a nil *XSource never becomes a
	// non-nil Source.
	switch cfg.Kind {
	case KindHTTP:
		return ok(NewHTTPSource(cfg.Name, *cfg.HTTP, clk))
	case KindSQL:
		return ok(NewSQLSource(cfg.Name, *cfg.SQL, clk))
	case KindCSV:
		return ok(NewCSVSource(cfg.Name, *cfg.CSV, clk))
	default:
		return ok(NewLDAPSource(cfg.Name, *cfg.LDAP, clk))
	}
}

func ok[S Source](s S, err error) (Source, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}
