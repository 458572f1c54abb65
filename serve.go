package outhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/internal/batchwrite"
	"github.com/outhook/outhook/middleware/metrics"
)

// Echo returns a new Echo app that serves what "outhook serve" serves:
// the webhooks (Mount), GET /healthz and GET /readyz, and the metrics at
// the configured path when Options.Registerer is also a
// prometheus.Gatherer (a *prometheus.Registry is) and the metrics have no
// listener of their own. It trusts X-Forwarded-For only from the
// configured trusted proxies, logs every request it refuses (404, 405
// included) and turns panics into 500s that are logged.
func (a *App) Echo() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.IPExtractor = ipExtractor(a.cfg.TrustedProxies)
	e.HTTPErrorHandler = a.httpError(e)
	e.Use(echomw.RecoverWithConfig(echomw.RecoverConfig{DisablePrintStack: true, LogErrorFunc: a.logPanic}))
	e.GET("/healthz", a.Healthz)
	e.GET("/readyz", a.Readyz)
	if h := a.metricsHandler(); h != nil && a.cfg.Metrics.Listen == "" {
		e.GET(a.cfg.Metrics.Path, echo.WrapHandler(h))
	}
	a.Mount(e)
	return e
}

// metricsHandler serves the metrics, or is nil when they are off or not
// gatherable.
func (a *App) metricsHandler() http.Handler {
	g, ok := a.registerer.(prometheus.Gatherer)
	if !ok || a.cfg.Metrics.Path == config.MetricsOff || a.cfg.Metrics.Path == "" {
		return nil
	}
	return metrics.Handler(g)
}

// ipExtractor trusts no forwarding header unless proxies are configured:
// the remote address logged for a refused request is then the socket's,
// which an unsigned request cannot forge.
func ipExtractor(proxies []string) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		if _, n, err := net.ParseCIDR(p); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		} else if ip := net.ParseIP(p); ip != nil {
			bits := 128
			if ip.To4() != nil {
				bits = 32
			}
			opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// maxLogged bounds what a log line repeats of a request (path, method),
// so that a huge request line cannot make a huge log line.
const maxLogged = 200

func bounded(s string) string {
	if len(s) > maxLogged {
		return s[:maxLogged] + "…"
	}
	return s
}

// httpError logs every request Echo refuses (a wrong callback path shows
// as a 404 in the log) and answers with Echo's default JSON error.
func (a *App) httpError(e *echo.Echo) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		status := http.StatusInternalServerError
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status = he.Code
		}
		ev := a.logger.Warn()
		if status >= 500 {
			ev = a.logger.Error().Err(err)
		}
		ev.Int("status", status).
			Str("method", bounded(c.Request().Method)).
			Str("path", bounded(c.Request().URL.Path)).
			Str("remote", c.RealIP()).
			Msg("refused")
		e.DefaultHTTPErrorHandler(err, c)
	}
}

// logPanic logs a panic in a route outside the webhooks (plugins' own
// routes), which Echo then answers with a 500.
func (a *App) logPanic(c echo.Context, err error, stack []byte) error {
	a.logger.Error().Err(err).Str("path", bounded(c.Request().URL.Path)).Bytes("stack", stack).Msg("panic in a route")
	return err
}

// NewHTTPServer returns an http.Server for h with the timeouts outhook
// uses, so that slow clients cannot hold it: headers within 5s, the body
// within 10s, the reply within budget plus a margin, idle connections for
// 90s. Its ErrorLog goes to logger, so that the log stays JSON. It stamps
// each connection's arrival (bot.Arrivals), so that a command's budget
// counts from when Teams' request arrived, not from when it was handled.
func NewHTTPServer(h http.Handler, budget time.Duration, logger zerolog.Logger) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      budget + 10*time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(serverLog{logger}, "", 0),
	}
	new(bot.Arrivals).Install(srv)
	return srv
}

// BatchWrites returns ln with its connections' writes batched, as Serve
// serves: a reply is queued, and the replies written in one turn of the Go
// scheduler leave together, so that under load the peer (Teams' side, or
// a proxy in front) is woken once for many replies instead of once for
// each. On loopback in a virtual machine that wake-up was most of a small
// reply's cost, and batching made "outhook serve" answer about 30% more
// posts per core; an idle reply waits a few microseconds more. Slow peers
// hold up no one: what they do not take at once is written by a goroutine
// of their own, then their writes are plain ones again. Deadlines, Close
// and TLS keep their meaning (see internal/batchwrite). Use it under your
// own http.Server when embedding:
//
//	srv := outhook.NewHTTPServer(e, bot.MaxBudget, logger)
//	err := srv.Serve(outhook.BatchWrites(ln))
//
// Connections that are not sockets, and systems other than Unix, are
// served as they are.
func BatchWrites(ln net.Listener) net.Listener { return batchwrite.Wrap(ln) }

// serverLog writes the standard library's server messages (TLS handshake
// errors, accept errors) to zerolog, bounded.
type serverLog struct{ l zerolog.Logger }

func (s serverLog) Write(p []byte) (int, error) {
	s.l.Warn().Str("component", "http").Msg(bounded(strings.TrimSpace(string(p))))
	return len(p), nil
}

// Serve serves the App on ln as "outhook serve" does, until ctx is done:
// the Echo app (see Echo) behind NewHTTPServer, over HTTPS when the
// configuration names a certificate (read again when the files change),
// and the metrics on their own listener when one is configured. When ctx
// is done it shuts down in order: Drain (readyz answers 503 while requests
// and background jobs are still served) for the configured drain time;
// then the HTTP server stops and requests in flight get the grace; then
// Shutdown drains background jobs and posts with what is left of it and
// releases the App. The error says what failed or was dropped.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	a.resume()
	srv := NewHTTPServer(a.Echo(), maxBudget(a.cfg.Webhooks), a.logger)
	if a.cert != nil {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: a.cert.GetCertificate}
	}
	var msrv *http.Server
	if h := a.metricsHandler(); h != nil && a.cfg.Metrics.Listen != "" {
		mln, err := net.Listen("tcp", a.cfg.Metrics.Listen)
		if err != nil {
			return errors.Join(fmt.Errorf("metrics listener: %w", err), a.Shutdown(context.Background()))
		}
		mux := http.NewServeMux()
		mux.Handle(a.cfg.Metrics.Path, h)
		msrv = NewHTTPServer(mux, 0, a.logger)
		go func() { _ = msrv.Serve(mln) }()
		a.logger.Info().Str("addr", mln.Addr().String()).Str("path", a.cfg.Metrics.Path).Msg("serving metrics")
	}
	scheme := "http"
	if srv.TLSConfig != nil {
		scheme = "https"
	}
	for _, w := range a.webhooks {
		a.logger.Info().Str("addr", ln.Addr().String()).Str("scheme", scheme).
			Str("webhook", w.Name).Str("path", w.Path).Int("tokens", w.tokens).
			Msg("serving outgoing webhook")
	}

	ln = BatchWrites(ln)
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	var served error
	select {
	case err := <-errc:
		served = fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
		a.Drain()
		a.logger.Info().Dur("drain", a.cfg.Drain).Dur("grace", a.cfg.Grace).Msg("stopping")
		if a.cfg.Drain > 0 {
			t := time.NewTimer(a.cfg.Drain)
			select {
			case <-t.C:
			case err := <-errc:
				t.Stop()
				served = fmt.Errorf("serving: %w", err)
			}
		}
	}
	grace := a.cfg.Grace
	if grace <= 0 {
		grace = 10 * time.Second
	}
	gctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var errs []error
	if served != nil {
		errs = append(errs, served)
	} else {
		if err := srv.Shutdown(gctx); err != nil {
			errs = append(errs, fmt.Errorf("stopping HTTP: %w", err))
		}
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serving: %w", err))
		}
	}
	if msrv != nil {
		_ = msrv.Shutdown(gctx)
	}
	// HTTP has stopped: nothing new arrives, so jobs and posts drain now.
	if err := a.Shutdown(gctx); err != nil {
		errs = append(errs, err)
	}
	a.logger.Info().Msg("stopped")
	return errors.Join(errs...)
}
