package outhook

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/config"

	"github.com/rs/zerolog"
)

// testCA signs leaf certificates for 127.0.0.1.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "outhook test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// writePair writes a leaf certificate with the given common name and its
// key to dir, and sets both files' mtime to mtime.
func (ca *testCA) writePair(t *testing.T, dir, cn string, mtime time.Time) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", der, mtime)
	writePEM(t, keyFile, "EC PRIVATE KEY", kder, mtime)
	return certFile, keyFile
}

func writePEM(t *testing.T, name, typ string, der []byte, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(name, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestCertReloader(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	t0 := time.Now().Add(-time.Minute)
	certFile, keyFile := ca.writePair(t, dir, "first", t0)
	var logs bottest.LogBuffer
	r, err := newCertReloader(certFile, keyFile, zerolog.New(&logs))
	if err != nil {
		t.Fatal(err)
	}
	r.every = 0
	cn := func() string {
		c, err := r.GetCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Leaf.Subject.CommonName
	}
	steps := []struct {
		name    string
		change  func()
		want    string
		wantLog string
	}{
		{"initial pair", func() {}, "first", ""},
		{"unchanged files", func() {}, "first", ""},
		{"renewed pair", func() { ca.writePair(t, dir, "second", t0.Add(10*time.Second)) }, "second", "TLS certificate reloaded"},
		{"garbage certificate keeps the old pair", func() {
			if err := os.WriteFile(certFile, []byte("not a certificate"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "second", "still serving the previous one"},
		{"key of another pair keeps the old pair", func() {
			other := t.TempDir()
			_, k := ca.writePair(t, other, "other", t0)
			ca.writePair(t, dir, "third", t0.Add(20*time.Second))
			data, _ := os.ReadFile(k)
			writeRaw(t, keyFile, data, t0.Add(30*time.Second))
		}, "second", "private key does not match public key"},
		{"missing key file keeps the old pair", func() { os.Remove(keyFile) }, "second", "TLS key"},
		{"fixed pair", func() { ca.writePair(t, dir, "fourth", t0.Add(40*time.Second)) }, "fourth", "TLS certificate reloaded"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := len(logs.String())
			st.change()
			if got := cn(); got != st.want {
				t.Errorf("got certificate %q; want %q", got, st.want)
			}
			logged := logs.String()[before:]
			if st.wantLog != "" && !strings.Contains(logged, st.wantLog) {
				t.Errorf("got log %q; want it to mention %q", logged, st.wantLog)
			}
			if st.wantLog == "" && logged != "" {
				t.Errorf("got log %q; want none", logged)
			}
		})
	}
	if strings.Contains(logs.String(), "PRIVATE KEY") {
		t.Error("got the key's contents in the log")
	}
}

func writeRaw(t *testing.T, name string, data []byte, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(name, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// TestServeTLSReload serves HTTPS on loopback and renews the certificate
// under it: new connections get the new one without a restart.
func TestServeTLSReload(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	t0 := time.Now().Add(-time.Minute)
	certFile, keyFile := ca.writePair(t, dir, "before", t0)
	addr := startApp(t, config.Config{TLS: config.TLS{Cert: certFile, Key: keyFile}})

	served := func() string {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool}, DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		res, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get("https://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		return res.TLS.PeerCertificates[0].Subject.CommonName
	}
	if got := served(); got != "before" {
		t.Fatalf("got %q; want before", got)
	}
	ca.writePair(t, dir, "after", t0.Add(10*time.Second))
	deadline := time.Now().Add(5 * time.Second) // the reloader looks at most once a second
	for served() != "after" {
		if time.Now().After(deadline) {
			t.Fatal("got the old certificate 5s after renewal; want the new one")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestCertReloaderStartFails(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	writeRaw(t, bad, []byte("junk"), time.Now())
	for _, tt := range []struct{ name, cert, key, want string }{
		{"missing", filepath.Join(dir, "none.pem"), bad, "no such file"},
		{"junk", bad, bad, "loading TLS pair"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newCertReloader(tt.cert, tt.key, zerolog.Nop())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}
