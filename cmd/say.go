package cmd

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/bot/teamsim"
)

// SayCmd posts one message to a running bot, signed as Teams would sign it.
type SayCmd struct {
	URL     string        `help:"Webhook URL of the bot, with its scheme: https://bot.example.com/teams/ops." default:"http://127.0.0.1:8080/webhook" env:"OUTHOOK_URL"`
	Secret  string        `help:"Security token to sign with (default: the first of $OUTHOOK_SECRET)."`
	CA      string        `help:"PEM file of certificate authorities to trust besides the system's, for a bot whose certificate a private CA signed." placeholder:"FILE" type:"path"`
	As      string        `help:"Display name of the sender." default:"Ada Lovelace"`
	BotName string        `help:"Name of the webhook in the mention." default:"Bot"`
	Timeout time.Duration `help:"How long to wait for the reply." default:"10s"`
	JSON    bool          `help:"Print the reply as raw JSON instead of text."`
	Text    []string      `arg:"" help:"What to say, as typed after the mention in Teams."`
}

// Run signs and posts the message and prints the reply.
func (s *SayCmd) Run(g *Globals) error {
	u, err := botURL(s.URL)
	if err != nil {
		return err
	}
	secret := s.Secret
	if secret == "" {
		secret, _, _ = strings.Cut(os.Getenv("OUTHOOK_SECRET"), ",")
	}
	if strings.TrimSpace(secret) == "" {
		return errors.New("no security token: pass --secret or set OUTHOOK_SECRET")
	}
	client, err := s.client()
	if err != nil {
		return err
	}
	msg := teamsim.Message{Text: strings.Join(s.Text, " "), BotName: s.BotName}
	msg.From.Name = s.As
	if s.As != "" {
		msg.From.ID = "29:local-" + strings.ReplaceAll(strings.ToLower(s.As), " ", "-")
	}
	r, err := teamsim.Post(client, u, secret, msg.JSON())
	if err != nil {
		return explainTLS(err)
	}
	if s.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintln(g.stdout, card.Render(r))
	return nil
}

// client returns the HTTP client that posts, trusting the --ca bundle too.
func (s *SayCmd) client() (*http.Client, error) {
	client := &http.Client{Timeout: s.Timeout}
	if s.CA == "" {
		return client, nil
	}
	pem, err := os.ReadFile(s.CA)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca %s: no PEM certificate in it (want -----BEGIN CERTIFICATE----- blocks)", s.CA)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	client.Transport = tr
	return client, nil
}

// botURL checks the bot's URL and explains the usual mistakes: no scheme,
// another scheme, no host.
func botURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		return "", fmt.Errorf("URL %q has no scheme: add https:// (or http:// for a bot on this machine), "+
			"such as https://%s", raw, strings.TrimPrefix(raw, "//"))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("URL %q: %w", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("URL %q: want https:// (or http:// for a bot on this machine), not %s://", raw, u.Scheme)
	}
	if u.Host == "" {
		return "", fmt.Errorf("URL %q has no host: such as https://bot.example.com/webhook", raw)
	}
	return raw, nil
}

// explainTLS adds what to do to the certificate errors of a bot behind a
// private CA or with a certificate for another name.
func explainTLS(err error) error {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("%w\nthe bot's certificate is signed by an authority this machine does not trust: "+
			"pass --ca FILE with that authority's certificate (PEM)", err)
	case errors.As(err, &host):
		return fmt.Errorf("%w\nthe bot's certificate is for another name: use the host name it was issued for in the URL", err)
	}
	return err
}
