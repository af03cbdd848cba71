package server

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func testHandler(t *testing.T, o Options) http.Handler {
	t.Helper()
	o.Registry = prometheus.NewRegistry()
	o.Logger = slog.New(slog.DiscardHandler)
	o.Root = selfSigned(t, "root")
	if o.API == nil {
		o.API = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("personal data")) })
	}
	return Handler(o)
}

// Personal data is served over HTTPS only: the plain listener answers the
// public and the agents' API with a problem naming the HTTPS address, and
// serves health, metrics and the CA certificates.
func TestPlainListenerServesNoPersonalData(t *testing.T) {
	h := testHandler(t, Options{HTTPSURL: "https://firma.example.gob.mx:8443", Metrics: MetricsAny})
	plain := httptest.NewServer(h)
	defer plain.Close()
	secure := httptest.NewTLSServer(h)
	defer secure.Close()
	for _, path := range []string{"/api/v1/public/requests", "/api/v1/whoami", "/verificar/SEP-JAL-SOL-2026-000001", "/solicitud/verificar"} {
		resp, err := http.Post(plain.URL+path, "application/json", strings.NewReader(`{"email":"maria@jalisco.gob.mx"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "application/problem+json" ||
			!bytes.Contains(body, []byte("https://firma.example.gob.mx:8443")) || bytes.Contains(body, []byte("personal data")) {
			t.Errorf("plain %s: %d %s", path, resp.StatusCode, body)
		}
	}
	for _, path := range []string{"/healthz", "/metrics", "/ca/root.pem"} {
		resp, err := http.Get(plain.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("plain %s: %d", path, resp.StatusCode)
		}
	}
	resp, err := secure.Client().Get(secure.URL + "/api/v1/whoami")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "personal data" {
		t.Errorf("HTTPS /api/: %d %s", resp.StatusCode, body)
	}
}

// /metrics answers callers on the loopback interface only, unless
// listen.metrics says any; off serves it to nobody.
func TestMetricsBoundToLoopbackByDefault(t *testing.T) {
	for _, c := range []struct {
		access MetricsAccess
		remote string
		want   int
	}{
		{MetricsLoopback, "127.0.0.1:5000", 200}, {MetricsLoopback, "[::1]:5000", 200},
		{MetricsLoopback, "203.0.113.5:5000", 404}, {MetricsLoopback, "[2001:db8::5]:5000", 404},
		{MetricsAny, "203.0.113.5:5000", 200}, {MetricsOff, "127.0.0.1:5000", 404},
	} {
		h := testHandler(t, Options{Metrics: c.access})
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = c.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s from %s: %d, want %d", c.access, c.remote, w.Code, c.want)
		}
	}
}

// A client that sends its body one byte every 5 s is cut off by the read
// timeout, on a real connection; so is one that never finishes its header.
func TestTimeouts_SlowClientIsCutOff(t *testing.T) {
	d := DefaultTimeouts()
	if d.ReadHeader <= 0 || d.Read <= 0 || d.Write <= 0 || d.Idle <= 0 {
		t.Fatalf("default timeouts %+v: every one must be set", d)
	}
	var mu sync.Mutex
	var readErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		mu.Lock()
		readErr = err
		mu.Unlock()
	})
	srv := New(h, Timeouts{ReadHeader: time.Second, Read: 2 * time.Second, Write: 2 * time.Second, Idle: 2 * time.Second}, slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	slowBody := func(t *testing.T) time.Duration {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		if _, err := io.WriteString(conn, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		closed := make(chan struct{})
		go func() { io.Copy(io.Discard, conn); close(closed) }()
		for i := 0; i < 100; i++ {
			if _, err := conn.Write([]byte{'a'}); err != nil {
				break
			}
			select {
			case <-closed:
				return time.Since(start)
			case <-time.After(5 * time.Second):
			}
		}
		return time.Since(start)
	}
	if took := slowBody(t); took > 8*time.Second {
		t.Errorf("a body sent one byte every 5 s held its connection %v", took)
	}
	mu.Lock()
	if readErr == nil {
		t.Error("the handler read the whole slow body")
	}
	mu.Unlock()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n") // the header never ends
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = bufio.NewReader(conn).ReadString('\n')
	if ne, ok := err.(net.Error); (ok && ne.Timeout()) || time.Since(start) > 4*time.Second {
		t.Errorf("an unfinished header held its connection: %v after %v", err, time.Since(start))
	}
}

// TLS handshake errors and other server errors are JSON log lines, not
// plain text inside the JSON log.
func TestServerErrorLogIsStructured(t *testing.T) {
	var buf syncBuf
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.Config = New(http.NotFoundHandler(), DefaultTimeouts(), log)
	ts.StartTLS()
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") // plain HTTP to the TLS port
	io.Copy(io.Discard, conn)
	conn.Close()
	// And a client that gives up during the handshake.
	c, err := tls.Dial("tcp", ts.Listener.Addr().String(), &tls.Config{ServerName: "nobody.invalid"})
	if err == nil {
		c.Close()
	}
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(buf.String(), "TLS handshake error") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) == 0 || !strings.Contains(buf.String(), "TLS handshake error") {
		t.Fatalf("no handshake error logged: %q", buf.String())
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["level"] != "WARN" || m["component"] != "http" {
			t.Errorf("log line is not a structured warning: %q", l)
		}
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
