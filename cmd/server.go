package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

// BotFlags are the flags that shape the bot itself, shared by serve and chat.
type BotFlags struct {
	Path      string        `help:"URL path of the webhook." default:"/webhook" env:"OUTHOOK_PATH"`
	Plugins   []string      `help:"Plugins to enable, by ID (default: all that are built in)." env:"OUTHOOK_PLUGINS"`
	Budget    time.Duration `help:"Time a command has before the bot answers with a timeout notice (Teams gives up at 5s; at most 4.5s)." default:"4s" env:"OUTHOOK_BUDGET"`
	BodyLimit int64         `help:"Largest request body accepted, in bytes." default:"1048576" env:"OUTHOOK_BODY_LIMIT"`

	FollowUpURLFile string        `help:"File with the incoming-webhook URL where results that miss the budget are posted (or set $OUTHOOK_FOLLOWUP_URL; the URL is a secret)." env:"OUTHOOK_FOLLOWUP_URL_FILE" type:"path"`
	Jobs            int           `help:"Background jobs that run at once (with a follow-up URL)." default:"4" env:"OUTHOOK_JOBS"`
	JobTimeout      time.Duration `help:"How long a background job may run." default:"10m" env:"OUTHOOK_JOB_TIMEOUT"`
}

// newBot builds the router with the chosen plugins and the bot around it.
func (f *BotFlags) newBot(secrets []string, logger zerolog.Logger) (*bot.Bot, error) {
	r := router.New()
	if err := plugins.Install(r, f.Plugins...); err != nil {
		return nil, err
	}
	followUps, err := f.followUps(logger)
	if err != nil {
		return nil, err
	}
	return bot.New(bot.Config{
		Secrets:   secrets,
		Handler:   r,
		Logger:    logger,
		Budget:    f.Budget,
		BodyLimit: f.BodyLimit,
		FollowUps: followUps,
		Jobs:      bot.JobsConfig{Workers: f.Jobs, Timeout: f.JobTimeout},
	})
}

// newEcho returns an Echo app that serves b at path, and /healthz.
func newEcho(b *bot.Bot, path string) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Use(echomw.Recover())
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	b.Mount(e, path)
	return e
}

// newHTTPServer wraps h with timeouts that keep slow clients from holding
// the server; writes may take as long as the budget plus a margin.
func newHTTPServer(h http.Handler, budget time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      budget + 10*time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// serveUntil serves on ln until ctx is done, then shuts down gracefully,
// giving requests in flight up to grace to finish.
func serveUntil(ctx context.Context, srv *http.Server, ln net.Listener, certFile, keyFile string, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() {
		var err error
		if certFile != "" {
			err = srv.ServeTLS(ln, certFile, keyFile)
		} else {
			err = srv.Serve(ln)
		}
		errc <- err
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", serr)
	}
	if err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// secretsFrom collects security tokens from env (comma-separated) and from
// a file (one per line; blank lines and # comments ignored).
func secretsFrom(env, file string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(env, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("reading secret file: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			s := strings.TrimSpace(sc.Text())
			if s != "" && !strings.HasPrefix(s, "#") {
				out = append(out, s)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("reading secret file: %w", err)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no security token: set OUTHOOK_SECRET to the token Teams showed when you created " +
			"the outgoing webhook (comma-separate several), or pass --secret-file with one token per line")
	}
	return out, nil
}
