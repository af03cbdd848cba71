package appointment

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// DefaultReloadInterval is how often a CSV roster's file is checked for
// changes when the configuration sets no reload_interval.
const DefaultReloadInterval = 2 * time.Second

// CSVConfig configures a roster exported by HR as a CSV file with a header.
type CSVConfig struct {
	// File is the roster (UTF-8, optional byte order mark).
	File string `yaml:"file"`
	// Delimiter is the field separator, one character (default ",").
	Delimiter string `yaml:"delimiter"`
	// IDKind is the kind of identifier in the id column.
	IDKind string `yaml:"id_kind"`
	// Columns names the header of each column; end is optional.
	Columns CSVColumns `yaml:"columns"`
	// ReloadInterval is the least time between two checks of the file's
	// modification time and size (default 2s).
	ReloadInterval time.Duration `yaml:"reload_interval"`
	Mapping        `yaml:",inline"`
}

// CSVColumns maps each value to a header name in the file.
type CSVColumns struct {
	ID           string `yaml:"id"`
	Organisation string `yaml:"organisation"`
	Position     string `yaml:"position"`
	Status       string `yaml:"status"`
	Start        string `yaml:"start"`
	End          string `yaml:"end"`
	// Name, optional, is the holder's full name; the RA checks that the
	// applicant's name agrees with it (RULES R3).
	Name string `yaml:"name"`
}

// CSVSource answers from a roster file held in memory. The file is read at
// construction and again when its modification time or size changes; a
// change that does not parse keeps the previous roster.
type CSVSource struct {
	m        *mapper
	file     string
	comma    rune
	idKind   string
	cols     CSVColumns
	interval time.Duration

	mu         sync.Mutex
	roster     map[string]Appointment // by id value; Person, CheckedAt filled at lookup
	loaded     fileStamp              // the file the roster came from
	failed     fileStamp              // the last file that did not parse (not retried until it changes)
	failedErr  error                  // why it did not parse
	lastCheck  time.Time
	reloadErr  error
	hasChecked bool
}

// errChanging reports a file that changed while it was read.
var errChanging = errors.New("the file changed while it was read")

// fileStamp identifies a version of the file cheaply.
type fileStamp struct {
	mod  time.Time
	size int64
}

// NewCSVSource checks cfg, reads the roster and returns a source named name.
// A roster that does not parse fails construction with its line number.
func NewCSVSource(name string, cfg CSVConfig, clk clock.Clock) (*CSVSource, error) {
	const sec = "csv"
	m, err := newMapper(sec, name, cfg.Mapping, clk)
	if err != nil {
		return nil, err
	}
	s := &CSVSource{m: m, file: cfg.File, comma: ',', idKind: cfg.IDKind, cols: cfg.Columns}
	if cfg.File == "" {
		return nil, badConfig(sec, "file", "required")
	}
	if cfg.Delimiter != "" {
		r, size := utf8.DecodeRuneInString(cfg.Delimiter)
		if size != len(cfg.Delimiter) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' {
			return nil, badConfig(sec, "delimiter", "%q is not one usable character", cfg.Delimiter)
		}
		s.comma = r
	}
	if cfg.IDKind == "" {
		return nil, badConfig(sec, "id_kind", "required: the identifier kind in the id column (CURP, RFC, DNI or EMPLOYEE)")
	}
	if !validKind(cfg.IDKind) {
		return nil, badConfig(sec, "id_kind", "%q; want CURP, RFC, DNI or EMPLOYEE", cfg.IDKind)
	}
	seen := map[string]string{}
	for _, c := range []struct{ key, header string }{
		{"id", cfg.Columns.ID}, {"organisation", cfg.Columns.Organisation}, {"position", cfg.Columns.Position},
		{"status", cfg.Columns.Status}, {"start", cfg.Columns.Start}, {"end", cfg.Columns.End}, {"name", cfg.Columns.Name},
	} {
		if c.header == "" {
			if c.key == "end" || c.key == "name" {
				continue
			}
			return nil, badConfig(sec, "columns."+c.key, "required: the header of the %s column", c.key)
		}
		if other, dup := seen[c.header]; dup {
			return nil, badConfig(sec, "columns."+c.key, "header %q is already used for %s", c.header, other)
		}
		seen[c.header] = c.key
	}
	if s.interval, err = checkPositive(sec, "reload_interval", cfg.ReloadInterval, DefaultReloadInterval); err != nil {
		return nil, err
	}
	stamp, roster, err := s.read()
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "appointment source csv.file: %v", err)
	}
	s.roster, s.loaded, s.lastCheck, s.hasChecked = roster, stamp, clk.Now(), true
	return s, nil
}

// Name returns the source's name.
func (s *CSVSource) Name() string { return s.m.source }

// LastReloadError returns why the last reload failed (the file disappeared or
// did not parse), or nil once a reload succeeds. The source keeps answering
// from the last good roster meanwhile.
func (s *CSVSource) LastReloadError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reloadErr
}

// Lookup answers from the roster, reloading it first if it is due.
func (s *CSVSource) Lookup(_ context.Context, id PersonID) (Appointment, error) {
	if err := id.check(); err != nil {
		return Appointment{}, err
	}
	if id.Kind != s.idKind {
		return Appointment{}, errs.New(errs.Malformed, "HR source %q is keyed by %s, not %s", s.m.source, s.idKind, id.Kind)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maybeReload()
	a, ok := s.roster[id.Value]
	if !ok {
		return Appointment{}, s.m.notFound(id)
	}
	a.Person = id
	a.CheckedAt = s.m.clk.Now()
	return a, nil
}

// maybeReload re-reads the file when the interval has passed and the file
// changed. Called with s.mu held.
func (s *CSVSource) maybeReload() {
	now := s.m.clk.Now()
	if s.hasChecked && now.Sub(s.lastCheck) < s.interval {
		return
	}
	s.lastCheck, s.hasChecked = now, true
	fi, err := os.Stat(s.file)
	if err != nil {
		s.reloadErr = fmt.Errorf("roster %s: %w (keeping the roster loaded earlier)", s.file, err)
		return
	}
	stamp := fileStamp{mod: fi.ModTime(), size: fi.Size()}
	switch stamp {
	case s.loaded:
		s.reloadErr = nil // unchanged, or back as it was
		return
	case s.failed:
		s.reloadErr = s.failedErr // still the version that did not parse
		return
	}
	got, roster, err := s.read()
	if errors.Is(err, errChanging) {
		s.reloadErr = err // not remembered as failed: looked at again next interval
		return
	}
	if err != nil {
		s.failed = stamp
		s.failedErr = fmt.Errorf("%w (keeping the roster loaded earlier)", err)
		s.reloadErr = s.failedErr
		return
	}
	s.roster, s.loaded, s.reloadErr = roster, got, nil
}

// read parses the file into a roster. The stamp is taken from the open file
// so that it describes the bytes read.
func (s *CSVSource) read() (fileStamp, map[string]Appointment, error) {
	f, err := os.Open(s.file)
	if err != nil {
		return fileStamp{}, nil, fmt.Errorf("roster: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fileStamp{}, nil, fmt.Errorf("roster: %w", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fileStamp{}, nil, fmt.Errorf("roster %s: %w", s.file, err)
	}
	stamp := fileStamp{mod: fi.ModTime(), size: fi.Size()}
	// An export written in place can be read half-way; a half roster may
	// parse and silently drop people, so wait until the file holds still.
	if after, err := os.Stat(s.file); err != nil || (fileStamp{mod: after.ModTime(), size: after.Size()}) != stamp ||
		int64(len(data)) != stamp.size {
		return fileStamp{}, nil, fmt.Errorf("roster %s: %w", s.file, errChanging)
	}
	roster, err := parseRoster(data, s.comma, s.cols, s.idKind, s.m)
	if err != nil {
		return fileStamp{}, nil, fmt.Errorf("roster %s: %w", s.file, err)
	}
	return stamp, roster, nil
}

// parseRoster reads a whole roster; any bad line makes the file invalid.
func parseRoster(data []byte, comma rune, cols CSVColumns, kind string, m *mapper) (map[string]Appointment, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, errors.New("not valid UTF-8 (export the roster as UTF-8)")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file: no header line")
	}
	if err != nil {
		return nil, err // *csv.ParseError names the line
	}
	pos := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := pos[h]; dup {
			return nil, fmt.Errorf("line 1: header %q appears twice", h)
		}
		pos[h] = i
	}
	idx := func(key, h string) (int, error) {
		if h == "" {
			return -1, nil
		}
		i, ok := pos[h]
		if !ok {
			return 0, fmt.Errorf("line 1: no %q column (columns.%s)", h, key)
		}
		return i, nil
	}
	var ix [7]int
	for i, c := range []struct{ key, h string }{
		{"id", cols.ID}, {"organisation", cols.Organisation}, {"position", cols.Position},
		{"status", cols.Status}, {"start", cols.Start}, {"end", cols.End}, {"name", cols.Name},
	} {
		if ix[i], err = idx(c.key, c.h); err != nil {
			return nil, err
		}
	}
	roster := map[string]Appointment{}
	firstLine := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		id := strings.TrimSpace(rec[ix[0]])
		pid := PersonID{Kind: kind, Value: id}
		if err := pid.check(); err != nil {
			return nil, fmt.Errorf("line %d: id: %s", line, detail(err))
		}
		if prev, dup := firstLine[id]; dup {
			return nil, fmt.Errorf("line %d: id %q already appears on line %d", line, id, prev)
		}
		end := ""
		if ix[5] >= 0 {
			end = rec[ix[5]]
		}
		name := ""
		if ix[6] >= 0 {
			name = rec[ix[6]]
		}
		a, err := m.build(pid, raw{organisation: rec[ix[1]], position: rec[ix[2]], status: rec[ix[3]], start: rec[ix[4]], end: end, name: name})
		if err != nil {
			return nil, fmt.Errorf("line %d: %s", line, detail(err))
		}
		firstLine[id] = line
		roster[id] = a
	}
	return roster, nil
}

// detail returns the client-safe part of a typed error.
func detail(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Detail
	}
	return err.Error()
}
