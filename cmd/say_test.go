package cmd

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
)

func TestSayURL(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"127.0.0.1:8080/webhook", "has no scheme: add https:// (or http:// for a bot on this machine), such as https://127.0.0.1:8080/webhook"},
		{"bot.example.com/teams/ops", "such as https://bot.example.com/teams/ops"},
		{"ftp://bot.example.com/x", "want https://"},
		{"https:///webhook", "has no host"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			code, _, errs := run(t, "", "say", "--url", tt.url, "--secret", bot.NewToken(), "ping")
			if code != 1 || !strings.Contains(errs, tt.want) {
				t.Errorf("got %d %q; want 1 and %q", code, errs, tt.want)
			}
		})
	}
}

// TestSayPrivateCA talks to a bot over HTTPS with a certificate this
// machine does not trust: without --ca the error points to it, with it the
// reply comes back.
func TestSayPrivateCA(t *testing.T) {
	token := bot.NewToken()
	b, err := bot.New(bot.Config{Secrets: []string{token},
		Handler: bot.HandlerFunc(func(c *bot.Context) error { return c.Text("pong") })})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.POST("/webhook", b.ServeEcho)
	srv := httptest.NewTLSServer(e)
	defer srv.Close()
	url := srv.URL + "/webhook"
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}

	code, _, errs := run(t, "", "say", "--url", url, "--secret", token, "ping")
	if code != 1 || !strings.Contains(errs, "pass --ca FILE") {
		t.Errorf("without --ca: got %d %q; want 1 and a pointer to --ca", code, errs)
	}
	code, out, errs := run(t, "", "say", "--url", url, "--secret", token, "--ca", ca, "ping")
	if code != 0 || strings.TrimSpace(out) != "pong" {
		t.Errorf("with --ca: got %d %q %q; want 0 and pong", code, out, errs)
	}
	code, _, errs = run(t, "", "say", "--url", url, "--secret", token, "--ca", notPEM, "ping")
	if code != 1 || !strings.Contains(errs, "no PEM certificate") {
		t.Errorf("--ca with no certificate: got %d %q; want 1 and why", code, errs)
	}
	code, _, errs = run(t, "", "say", "--url", url, "--secret", token, "--ca", filepath.Join(dir, "nosuch.pem"), "ping")
	if code != 1 || !strings.Contains(errs, "--ca") || !strings.Contains(errs, "no such file") {
		t.Errorf("--ca missing: got %d %q; want 1 and why", code, errs)
	}
	if err := b.Shutdown(t.Context()); err != nil {
		t.Error(err)
	}
}
