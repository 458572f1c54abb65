package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
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

	FollowUpURLFile string        `name:"followup-url-file" help:"File with the incoming-webhook URL where results that miss the budget are posted (or set $OUTHOOK_FOLLOWUP_URL; the URL is a secret)." env:"OUTHOOK_FOLLOWUP_URL_FILE" type:"path"`
	JobTimeout      time.Duration `help:"How long a background job may run." default:"10m" env:"OUTHOOK_JOB_TIMEOUT"`
	Jobs            int           `help:"How many background jobs run at once." default:"4" env:"OUTHOOK_JOBS"`
	JobQueue        int           `help:"How many background jobs may wait for a worker; more are refused at once with \"busy, try again\"." default:"16" env:"OUTHOOK_JOB_QUEUE"`
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
		Jobs:      bot.JobsConfig{Timeout: f.JobTimeout, Workers: f.Jobs, Queue: f.JobQueue},
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

// serveUntil serves on ln until ctx is done, then shuts down gracefully:
// it calls onStop (if not nil), keeps serving for drain, then gives
// requests in flight up to grace to finish. With srv.TLSConfig set it
// serves HTTPS with the certificates that config provides.
func serveUntil(ctx context.Context, srv *http.Server, ln net.Listener, grace, drain time.Duration, onStop func()) error {
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	if onStop != nil {
		onStop()
	}
	if drain > 0 {
		t := time.NewTimer(drain)
		select {
		case <-t.C:
		case err := <-errc:
			t.Stop()
			return fmt.Errorf("serving: %w", err)
		}
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
