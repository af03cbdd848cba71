package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/server"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/api"
	"github.com/sello-pki/sello/ra/web"
	"github.com/sello-pki/sello/store"
)

func newServeCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Sello (initialising an empty data folder first)",
		Long: `Run every Sello service in one process: the HTTP listener (health, metrics,
CA certificates; OCSP, CRL and the public registry as they arrive) and the
HTTPS listener where agents log in with their client certificate.

With no configuration at all it creates ./sello-data (or --data) holding the
SQLite database, an embedded CA, the default policy and a bootstrap admin
PKCS#12 with its password in a file next to it, and prints where each thing is.
SIGTERM or Ctrl-C stops it gracefully.`,
		Example: `  sello serve
  sello serve --data /var/lib/sello
  sello serve --config /etc/sello/sello.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), g, cmd)
		},
	}
	return cmd
}

func serve(ctx context.Context, g *globalFlags, cmd *cobra.Command) error {
	started := time.Now()
	out := cmd.OutOrStdout()
	cfg, err := resolveConfig(g)
	if err != nil {
		return err
	}
	var initRes *initResult
	if len(issuerNames(cfg)) == 0 {
		if initRes, err = initDataDir(ctx, g, cfg, &initOptions{orgCode: "AC", serve: true}, cmd.ErrOrStderr()); err != nil {
			return err
		}
	}
	// A first start serves with the app initialisation opened: each key is
	// decrypted once (PBKDF2, see pendingKeys), not once for init and again.
	var a *app
	if initRes != nil && initRes.app != nil {
		a = initRes.app
	} else if a, err = openApp(ctx, g, cmd.ErrOrStderr(), openOptions{migrate: true, signer: true, server: true}); err != nil {
		return err
	}
	defer a.Close()
	cfg = a.cfg
	warnPassphraseLocation(cfg, a.log, cmd.ErrOrStderr())

	if err := ensureAckSigner(ctx, a, a.pass); err != nil {
		return err
	}
	startWorkers(ctx, a)
	warnWithoutHR(ctx, a)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(newStatsCollector(a.ra), a.anonRefused)
	var served []server.Issuer
	for _, is := range a.ra.Issuers() {
		served = append(served, server.Issuer{Name: is.Name, Chain: is.Chain})
	}
	// Both listeners are opened first: the plain one's refusals name the
	// HTTPS address.
	var httpLn, httpsLn net.Listener
	var httpURL, httpsURL string
	if cfg.HTTPAddr != "" {
		if httpLn, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
			return errs.Wrap(errs.Unavailable, err, "listen.http %s", cfg.HTTPAddr)
		}
		httpURL = "http://" + httpLn.Addr().String()
	}
	var tlsCfg *tls.Config
	if cfg.HTTPSAddr != "" {
		if tlsCfg, err = serverTLS(ctx, a); err == nil {
			httpsLn, err = net.Listen("tcp", cfg.HTTPSAddr)
		}
		if err != nil {
			if httpLn != nil {
				httpLn.Close()
			}
			if tlsCfg == nil {
				return err
			}
			return errs.Wrap(errs.Unavailable, err, "listen.https %s", cfg.HTTPSAddr)
		}
		httpsURL = "https://" + httpsLn.Addr().String()
	}
	h := server.Handler(server.Options{DB: a.store, Root: a.rootCert, Issuers: served,
		Registry: reg, API: api.New(api.Config{RA: a.ra, Logger: a.log}), Web: web.New(a.ra, a.log), Logger: a.log,
		HTTPSURL: httpsURL, Metrics: server.MetricsAccess(cfg.Metrics)})
	timeouts := server.Timeouts{ReadHeader: cfg.ReadHeaderTimeout, Read: cfg.ReadTimeout, Write: cfg.WriteTimeout, Idle: cfg.IdleTimeout}

	var servers []*http.Server
	errc := make(chan error, 2)
	if httpLn != nil {
		srv := server.New(h, timeouts, a.log)
		servers = append(servers, srv)
		go func() { errc <- srv.Serve(httpLn) }()
	}
	if httpsLn != nil {
		srv := server.New(h, timeouts, a.log)
		srv.TLSConfig = tlsCfg
		servers = append(servers, srv)
		go func() { errc <- srv.ServeTLS(httpsLn, "", "") }()
	}

	// Refused anonymous calls are written as one entry per client and
	// minute once the minute is over.
	go ra.RunEvery(ctx, 15*time.Second, func(ctx context.Context) { a.ra.FlushAnonymousRefusals(ctx, false) })

	// Signed audit checkpoints at least every interval when entries were added.
	self := ra.System("serve")
	go func() {
		t := time.NewTicker(cfg.CheckpointInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := a.ra.Checkpoint(ctx, self); err != nil && ctx.Err() == nil {
					a.log.Error("audit checkpoint failed", "err", err)
				}
			}
		}
	}()

	if initRes != nil {
		printInitResult(out, cfg, initRes)
	} else {
		printf(out, "Sello data folder: %s (configuration: %s)\n", cfg.DataDir, cfg.Source)
	}
	printf(out, "Serving:\n")
	if httpURL != "" {
		printf(out, "  %s/healthz  %s/readyz  %s/metrics\n", httpURL, httpURL, httpURL)
		for _, is := range served {
			printf(out, "  %s/ca/%s/chain.pem  (also issuing.crt, issuing.pem)\n", httpURL, is.Name)
		}
		if a.rootCert != nil {
			printf(out, "  %s/ca/root.pem  (also root.crt)\n", httpURL)
		}
	}
	if httpsURL != "" {
		printf(out, "  %s/api/v1/whoami  (agents log in with their PKCS#12 client certificate)\n", httpsURL)
	}
	a.log.Info("sello started", "http", httpURL, "https", httpsURL, "data", cfg.DataDir,
		"database", store.Redact(cfg.DatabaseURL), "startup_ms", time.Since(started).Milliseconds())

	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return errs.Wrap(errs.Unavailable, err, "listener failed")
		}
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(sctx)
	}
	a.ra.FlushAnonymousRefusals(sctx, true)
	if _, err := a.ra.Checkpoint(sctx, self); err != nil {
		a.log.Warn("final audit checkpoint", "err", err)
	}
	a.log.Info("stopped")
	return nil
}

// serverTLS loads the configured certificate, or has the embedded CA issue
// one for tls.names (kept in <data>/tls and reused until 30 days before it
// expires). Client certificates are verified against the CA chain when given;
// the API refuses requests without one.
func serverTLS(ctx context.Context, a *app) (*tls.Config, error) {
	cfg := a.cfg
	certFile, keyFile := cfg.TLSCertFile, cfg.TLSKeyFile
	if certFile == "" {
		dir := filepath.Join(cfg.DataDir, "tls")
		certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
		if needsNewServerCert(certFile, a.clk.Now()) {
			if a.root == nil {
				return nil, errs.New(errs.BadConfig, "the HTTPS listener needs a certificate: the embedded CA has no root key to issue one (an imported issuing CA keeps its root offline), so set tls.cert_file and tls.key_file, or listen.https: off")
			}
			if err := issueServerCert(ctx, a, dir, certFile, keyFile); err != nil {
				return nil, err
			}
		}
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "TLS certificate %s", certFile)
	}
	pool := x509.NewCertPool()
	for _, is := range a.ra.Issuers() {
		for _, c := range is.Chain {
			pool.AddCert(c)
		}
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: tls12Suites,
		Certificates: []tls.Certificate{pair},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    pool,
	}, nil
}

func needsNewServerCert(path string, now time.Time) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return true
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return true
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	return err != nil || now.Add(30*24*time.Hour).After(c.NotAfter)
}

func issueServerCert(ctx context.Context, a *app, dir, certFile, keyFile string) error {
	var names []string
	var ips []net.IP
	for _, n := range a.cfg.TLSNames {
		if ip := net.ParseIP(n); ip != nil {
			ips = append(ips, ip)
		} else {
			names = append(names, n)
		}
	}
	der, key, err := a.root.IssueTLSServer(a.clk, names, ips, 398*24*time.Hour)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	// Recorded like every certificate before it is used. The root signs it,
	// since the issuing CA is constrained to e-mail protection and client
	// authentication.
	if err := a.ra.RecordServerCertificate(ctx, ra.System("serve"), ca.IssuerID(a.root.Certificate()), der, a.cfg.TLSNames); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// statsCollector exports what the registry holds: pending outbox jobs by
// kind, requests by state and certificates by issuer and status, read from
// the RA when scraped.
type statsCollector struct {
	ra                      *ra.RA
	outbox, requests, certs *prometheus.Desc
}

func newStatsCollector(r *ra.RA) *statsCollector {
	return &statsCollector{ra: r,
		outbox:   prometheus.NewDesc("sello_outbox_pending_jobs", "Pending outbox jobs by kind.", []string{"kind"}, nil),
		requests: prometheus.NewDesc("sello_requests", "Certificate requests by state.", []string{"state"}, nil),
		certs: prometheus.NewDesc("sello_certificates", "Certificates by issuer and status (issuer: the issuer's name; root for the HTTPS certificate; the store's id for another authority's homologated certificates).",
			[]string{"issuer", "status"}, nil)}
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.outbox
	ch <- c.requests
	ch <- c.certs
}

// Collect exports whatever counts could be read: Stats returns the others
// when one fails.
func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, _ := c.ra.Stats(ctx, ra.System("metrics"))
	if st == nil {
		return
	}
	for k, v := range st.PendingJobs {
		ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(v), k)
	}
	for k, v := range st.Requests {
		ch <- prometheus.MustNewConstMetric(c.requests, prometheus.GaugeValue, float64(v), k)
	}
	for _, n := range st.Certificates {
		ch <- prometheus.MustNewConstMetric(c.certs, prometheus.GaugeValue, float64(n.Count), n.Issuer, n.Status)
	}
}
