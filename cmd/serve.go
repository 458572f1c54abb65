package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// ServeCmd runs the bot as an HTTP server.
type ServeCmd struct {
	BotFlags

	Listen     string        `help:"Address to listen on." default:":8080" env:"OUTHOOK_LISTEN"`
	SecretFile string        `help:"File with the security token(s), one per line (instead of, or besides, $OUTHOOK_SECRET)." env:"OUTHOOK_SECRET_FILE" type:"path"`
	TLSCert    string        `help:"TLS certificate file (PEM). Teams only calls HTTPS URLs: use this or a TLS proxy." env:"OUTHOOK_TLS_CERT" type:"path"`
	TLSKey     string        `help:"TLS private key file (PEM)." env:"OUTHOOK_TLS_KEY" type:"path"`
	Grace      time.Duration `help:"How long shutdown waits for requests in flight and for background jobs and their posts." default:"10s" env:"OUTHOOK_GRACE"`
}

// Run serves until SIGINT or SIGTERM.
func (s *ServeCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return s.run(ctx, g, nil)
}

// run serves until ctx is done. ready, if not nil, receives the address
// once the server listens.
func (s *ServeCmd) run(ctx context.Context, g *Globals, ready chan<- string) error {
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	secrets, err := secretsFrom(os.Getenv("OUTHOOK_SECRET"), s.SecretFile)
	if err != nil {
		return err
	}
	logger := g.Logger(g.stderr)
	b, err := s.newBot(secrets, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	scheme := "http"
	if s.TLSCert != "" {
		scheme = "https"
	}
	logger.Info().Str("addr", ln.Addr().String()).Str("path", s.Path).Str("scheme", scheme).
		Int("tokens", len(secrets)).Msg("serving outgoing webhook")
	if ready != nil {
		ready <- ln.Addr().String()
	}
	srv := newHTTPServer(newEcho(b, s.Path), s.Budget)
	// Background jobs drain while the server does: both have the grace.
	stopJobs := drainJobs(ctx, b, s.Grace, logger)
	err = serveUntil(ctx, srv, ln, s.TLSCert, s.TLSKey, s.Grace)
	stopJobs()
	logger.Info().Msg("stopped")
	return err
}
