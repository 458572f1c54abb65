package outhook

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// certReloader serves a TLS certificate from files and picks up a new pair
// when either file changes, so a renewed certificate (certbot, cert-manager,
// a secret rotation) needs no restart. If the new pair does not load, it
// logs why and keeps serving the old one.
type certReloader struct {
	certFile, keyFile string
	logger            zerolog.Logger
	// every is how often, at most, the files are checked; handshakes in
	// between use the current pair without touching the disk.
	every time.Duration

	mu      sync.Mutex
	cert    *tls.Certificate
	seen    fileStamp // of the files last tried, loaded or not
	checked time.Time
}

// fileStamp identifies a version of the certificate and key files.
type fileStamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

// newCertReloader loads the pair and fails if it does not load: a server
// never starts without a valid certificate.
func newCertReloader(certFile, keyFile string, logger zerolog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, logger: logger, every: time.Second}
	st, err := r.stamp()
	if err != nil {
		return nil, err
	}
	cert, err := r.load()
	if err != nil {
		return nil, err
	}
	r.cert, r.seen, r.checked = cert, st, time.Now()
	return r, nil
}

// GetCertificate is the tls.Config hook: it returns the current pair,
// loading a new one first if the files changed.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.checked) >= r.every {
		r.checked = now
		r.reload()
	}
	return r.cert, nil
}

// reload loads the pair if the files changed since the last try. Called
// with r.mu held.
func (r *certReloader) reload() {
	st, err := r.stamp()
	if err != nil {
		r.logger.Error().Err(err).Msg("checking TLS files; still serving the previous certificate")
		return
	}
	if st == r.seen {
		return
	}
	r.seen = st // a bad pair is reported once, not at every handshake
	cert, err := r.load()
	if err != nil {
		r.logger.Error().Err(err).Msg("new TLS certificate not loaded; still serving the previous one")
		return
	}
	r.cert = cert
	r.logger.Info().Str("cert", r.certFile).Str("subject", cert.Leaf.Subject.String()).
		Time("not_after", cert.Leaf.NotAfter).Msg("TLS certificate reloaded")
}

func (r *certReloader) stamp() (fileStamp, error) {
	ci, err := os.Stat(r.certFile)
	if err != nil {
		return fileStamp{}, fmt.Errorf("TLS certificate: %w", err)
	}
	ki, err := os.Stat(r.keyFile)
	if err != nil {
		return fileStamp{}, fmt.Errorf("TLS key: %w", err)
	}
	return fileStamp{certMod: ci.ModTime(), keyMod: ki.ModTime(), certSize: ci.Size(), keySize: ki.Size()}, nil
}

// load reads and parses the pair. Errors name the files, never their
// contents.
func (r *certReloader) load() (*tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading TLS pair %s, %s: %w", r.certFile, r.keyFile, err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("parsing TLS certificate %s: %w", r.certFile, err)
		}
	}
	if time.Now().After(cert.Leaf.NotAfter) {
		return nil, fmt.Errorf("TLS certificate %s expired on %s", r.certFile, cert.Leaf.NotAfter.Format(time.DateOnly))
	}
	return &cert, nil
}
