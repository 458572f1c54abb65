package console

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
)

// Paths the console serves.
const (
	// SendPath takes a message from the page and posts it to the bot.
	SendPath = "/api/send"
	// IncomingPath is a Workflows-style incoming webhook: it takes what
	// bot/incoming posts and answers 202.
	IncomingPath = "/incoming"
	// ConnectorPath is a connector-style incoming webhook: it answers 200
	// with body "1", as Office 365 connectors do.
	ConnectorPath = "/incoming/connector"
	// EventsPath streams follow-ups to the page as Server-Sent Events.
	EventsPath = "/events"
)

// TeamsBudget is how long Teams waits for an outgoing webhook's answer.
const TeamsBudget = 5 * time.Second

// Config configures a Console.
type Config struct {
	// BotURL is the bot's webhook URL, such as
	// "http://127.0.0.1:8080/webhook". Required.
	BotURL string
	// Token is the bot's security token (base64), used to sign posts as
	// Teams does. Required.
	Token string
	// BotName is the webhook's name in the mention. Optional; default
	// "Bot".
	BotName string
	// Asker is who the page posts as until the user picks someone else.
	// Optional; default "Ada Lovelace" with a fixed AAD object id.
	Asker bot.Account
	// Team, Channel and Tenant are the ids the page starts with.
	// Optional; defaults teamsim.DefaultTeam, DefaultChannel and
	// DefaultTenant.
	Team, Channel, Tenant string
	// Budget is the time the page measures replies against. Optional;
	// default TeamsBudget.
	Budget time.Duration
	// Client posts to the bot. Optional; default a client that gives up
	// after Budget plus ten seconds.
	Client *http.Client
	// Logger receives a line per follow-up received and per failed post.
	// Message text is never logged. Optional; default no logging.
	Logger zerolog.Logger
}

// Console is the web console: an http.Handler serving the page, its
// assets, SendPath, IncomingPath, ConnectorPath and EventsPath. Create one
// with New and Close it when done. It is safe for concurrent use.
type Console struct {
	cfg    Config
	mux    *http.ServeMux
	events *hub
}

var _ http.Handler = (*Console)(nil)

// New returns a Console for cfg. It fails when BotURL or Token is missing
// or BotURL is not an http(s) URL.
func New(cfg Config) (*Console, error) {
	u, err := url.Parse(cfg.BotURL)
	switch {
	case cfg.BotURL == "":
		return nil, errors.New("console: BotURL is required")
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return nil, errors.New("console: BotURL must be an http or https URL")
	case cfg.Token == "":
		return nil, errors.New("console: Token is required")
	}
	if cfg.BotName == "" {
		cfg.BotName = "Bot"
	}
	if cfg.Asker.Name == "" {
		cfg.Asker = defaultAsker
	}
	if cfg.Budget <= 0 {
		cfg.Budget = TeamsBudget
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Budget + 10*time.Second}
	}
	c := &Console{cfg: cfg, mux: http.NewServeMux(), events: newHub()}
	c.mux.HandleFunc("GET /{$}", c.page)
	c.mux.Handle("GET /assets/", assetHandler())
	c.mux.HandleFunc("GET /api/defaults", c.defaults)
	c.mux.HandleFunc("POST "+SendPath, c.send)
	c.mux.HandleFunc("POST "+IncomingPath, c.incoming(http.StatusAccepted, ""))
	c.mux.HandleFunc("POST "+ConnectorPath, c.incoming(http.StatusOK, "1"))
	c.mux.HandleFunc("GET "+EventsPath, c.stream)
	return c, nil
}

// ServeHTTP serves the console. Requests addressed to a host name other
// than a loopback one get 403.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !loopbackHost(r.Host) {
		http.Error(w, "the console answers loopback host names only", http.StatusForbidden)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	c.mux.ServeHTTP(w, r)
}

// Close ends the event streams of open pages and refuses new ones, so that
// an http.Server holding them can shut down.
func (c *Console) Close() { c.events.close() }

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isJSON reports whether r says its body is JSON.
func isJSON(r *http.Request) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]))
	return ct == "application/json"
}
