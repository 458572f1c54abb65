package incoming

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
)

// Defaults for Config.
const (
	DefaultAttemptTimeout = 10 * time.Second
	DefaultMaxAttempts    = 5
	DefaultMinBackoff     = time.Second
	DefaultMaxBackoff     = 30 * time.Second
	DefaultRemember       = 24 * time.Hour
	// MaxRetryAfter caps a Retry-After answer: a webhook asking for a
	// longer pause (a misconfigured proxy's "Retry-After: 999999999") gets
	// this one. Longer waits are the caller's to decide (its context's
	// deadline; the bot's outbox tries again later).
	MaxRetryAfter = time.Minute
)

// Limit allows at most Requests posts in any window of length Per.
type Limit struct {
	Requests int
	Per      time.Duration
}

// DefaultLimits are the connector limits Microsoft documents per URL: 4
// requests a second and 60 in 30 seconds. Workflows documents none; the
// same keep a chatty bot clear of Power Automate's throttling.
var DefaultLimits = []Limit{{Requests: 4, Per: time.Second}, {Requests: 60, Per: 30 * time.Second}}

// Config configures a Sender. Zero fields take defaults.
type Config struct {
	// Kind forces the kind of URL. Optional; default KindOf(url).
	Kind Kind
	// Client posts. Optional; default a client that follows no redirects
	// (a redirect would resend the secret URL's body elsewhere).
	Client *http.Client
	// AttemptTimeout bounds one try. Optional; default
	// DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// MaxAttempts is how many tries a message gets, the first included.
	// Optional; default DefaultMaxAttempts.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the jittered exponential wait
	// between tries; a longer Retry-After wins. Optional; defaults
	// DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// Limits are the rate limits of the URL. Optional; default
	// DefaultLimits.
	Limits []Limit
	// Remember is how long message keys are remembered for at-most-once
	// delivery. Optional; default DefaultRemember.
	Remember time.Duration
	// Logger receives a line per failed try, with the URL redacted.
	// Optional; default no logging.
	Logger zerolog.Logger
}

// Sender posts messages to one incoming-webhook URL: payload in the URL's
// format, rate limits, retries with backoff on throttling and server
// errors (honouring Retry-After), and at most one post per message key.
// It implements bot.Poster for follow-ups. It is safe for concurrent use.
type Sender struct {
	url      string
	redacted string
	kind     Kind
	client   *http.Client
	cfg      Config
	limiter  limiter

	mu   sync.Mutex
	keys map[string]time.Time
}

var _ bot.Poster = (*Sender)(nil)

// New returns a Sender for rawURL. It fails for a URL that is not HTTPS
// (plain HTTP is allowed to loopback only, for tests and local relays).
// Errors never include the URL, which is a secret.
func New(rawURL string, cfg Config) (*Sender, error) {
	rawURL = strings.TrimSpace(rawURL)
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, errors.New("incoming: not a valid webhook URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("incoming: %s: the webhook URL must use https", Redact(rawURL))
	}
	if cfg.Kind == 0 {
		cfg.Kind = KindOf(rawURL)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultAttemptTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.Limits == nil {
		cfg.Limits = DefaultLimits
	}
	if cfg.Remember <= 0 {
		cfg.Remember = DefaultRemember
	}
	s := &Sender{url: rawURL, redacted: Redact(rawURL), kind: cfg.Kind, client: cfg.Client, cfg: cfg, keys: map[string]time.Time{}}
	s.limiter.init(cfg.Limits)
	return s, nil
}

// Kind returns the kind of the Sender's URL.
func (s *Sender) Kind() Kind { return s.kind }

// String returns the redacted URL, safe to log.
func (s *Sender) String() string { return s.redacted }

// Errors Send returns, besides *Error.
var (
	// ErrDuplicate: a message with this key was already sent or is being
	// sent. It is bot.ErrPosted, so the bot counts the result delivered.
	ErrDuplicate = bot.ErrPosted
	// ErrTooLarge: the message is over MaxPayload; a short note was
	// posted in its place when possible.
	ErrTooLarge = errors.New("message too large to post")
)

// Error is a failed delivery. It names the URL redacted.
type Error struct {
	// URL is the redacted URL.
	URL string
	// Status is the last HTTP status, or 0 when no answer came.
	Status int
	// Body is the start of the last answer's body.
	Body string
	// Attempts is how many tries were made.
	Attempts int
	// Uncertain is true when the request went out and no clear answer
	// came back: the message may have been posted, so it was not retried.
	Uncertain bool
	// Err is the underlying cause.
	Err error
}

// Error describes the failure.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "posting to %s", e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Uncertain {
		b.WriteString(" (it may have been posted; not retried)")
	}
	fmt.Fprintf(&b, " (%d attempt(s))", e.Attempts)
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports an uncertain failure as bot.ErrMaybePosted, so that the bot's
// outbox does not post it again.
func (e *Error) Is(target error) bool { return e.Uncertain && target == bot.ErrMaybePosted }

// Post sends the follow-up f, addressed to its asker and quoting the
// command; it implements bot.Poster.
func (s *Sender) Post(ctx context.Context, f *bot.FollowUp) error {
	return s.Send(ctx, FromFollowUp(f))
}

// Send posts m. It returns nil once the webhook accepted it, ErrDuplicate
// for a key already sent, or why it was not (or maybe not) delivered.
func (s *Sender) Send(ctx context.Context, m Message) error {
	body, err := m.encode(s.kind)
	if err != nil {
		return fmt.Errorf("encoding message: %w", err)
	}
	var large error
	if len(body) > MaxPayload {
		large = fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(body), MaxPayload)
		note := Message{Mention: m.Mention, Quote: m.Quote,
			Text: fmt.Sprintf("The result is too large to post here (%d KB); the bot's log has it.", len(body)>>10)}
		if body, err = note.encode(s.kind); err != nil {
			return large
		}
	}
	if m.Key != "" && !s.claim(m.Key) {
		return fmt.Errorf("message %q: %w", m.Key, ErrDuplicate)
	}
	err = s.deliver(ctx, body)
	var e *Error
	if err != nil && m.Key != "" && !(errors.As(err, &e) && e.Uncertain) {
		s.forget(m.Key) // surely not posted: a later Send may try again
	}
	if err == nil {
		return large
	}
	return err
}

// claim records key as sent, or returns false if it already is.
func (s *Sender) claim(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if t, ok := s.keys[key]; ok && now.Sub(t) < s.cfg.Remember {
		return false
	}
	if len(s.keys) >= 4096 {
		for k, t := range s.keys {
			if now.Sub(t) >= s.cfg.Remember {
				delete(s.keys, k)
			}
		}
	}
	s.keys[key] = now
	return true
}

func (s *Sender) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, key)
}

// try is the outcome of one attempt.
type try struct {
	err        *Error
	retry      bool
	retryAfter time.Duration
}

// deliver posts body, retrying what is safe to retry.
func (s *Sender) deliver(ctx context.Context, body []byte) error {
	for attempt := 1; ; attempt++ {
		if err := s.limiter.wait(ctx); err != nil {
			return &Error{URL: s.redacted, Attempts: attempt - 1, Err: fmt.Errorf("waiting for the rate limit: %w", err)}
		}
		t := s.attempt(ctx, body)
		if t.err == nil {
			return nil
		}
		t.err.Attempts = attempt
		if !t.retry || attempt >= s.cfg.MaxAttempts || ctx.Err() != nil {
			return t.err
		}
		wait := s.backoff(attempt)
		if t.retryAfter > 0 {
			s.limiter.pause(time.Now().Add(t.retryAfter))
			wait = max(wait, t.retryAfter)
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			t.err.Err = errors.Join(t.err.Err, fmt.Errorf("next try in %v is past the deadline", wait.Round(time.Millisecond)))
			return t.err
		}
		s.cfg.Logger.Warn().Str("url", s.redacted).Int("status", t.err.Status).Int("attempt", attempt).
			Dur("wait", wait).Err(t.err.Err).Msg("incoming webhook: retrying")
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			t.err.Err = errors.Join(t.err.Err, ctx.Err())
			return t.err
		}
	}
}

// backoff returns the wait before try attempt+1: exponential, with jitter
// over its upper half.
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.cfg.MaxBackoff
	if attempt < 30 {
		d = min(s.cfg.MinBackoff<<(attempt-1), s.cfg.MaxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// attempt makes one try and classifies the outcome.
func (s *Sender) attempt(ctx context.Context, body []byte) try {
	actx, cancel := context.WithTimeout(ctx, s.cfg.AttemptTimeout)
	defer cancel()
	var wrote atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(actx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return try{err: &Error{URL: s.redacted, Err: errors.New("building request")}}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "outhook")
	resp, err := s.client.Do(req)
	if err != nil {
		err = scrub(err)
		if !wrote.Load() && notSent(err) {
			return try{err: &Error{URL: s.redacted, Err: err}, retry: true} // never went out
		}
		return try{err: &Error{URL: s.redacted, Err: err, Uncertain: true}}
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	text := strings.TrimSpace(string(data))
	if len(text) > 512 {
		text = text[:512] + "…"
	}
	e := &Error{URL: s.redacted, Status: resp.StatusCode, Body: text}
	wait := retryAfter(resp.Header.Get("Retry-After"))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		if s.kind != Connector || text == "1" {
			return try{}
		}
		if strings.Contains(text, "429") {
			e.Err = errors.New("throttled")
			return try{err: e, retry: true, retryAfter: wait}
		}
		if rerr != nil {
			e.Err = scrub(rerr)
		}
		e.Uncertain = true
		return try{err: e}
	case code == http.StatusTooManyRequests, code == http.StatusRequestTimeout:
		return try{err: e, retry: true, retryAfter: wait}
	case code == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
		return try{err: e, retry: true, retryAfter: wait}
	case code >= 500:
		// The body was sent and the endpoint failed while handling it:
		// the post may have landed (a Workflow that posted, then failed a
		// later step, answers 502). Not retried; reported as uncertain.
		e.Uncertain = true
		return try{err: e}
	}
	return try{err: e}
}

// notSent reports whether a transport error proves that the request never
// reached the endpoint: the connection was never made (refused, no route,
// DNS), so nothing was written.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED)
}

// retryAfter parses a Retry-After header: seconds or an HTTP date, capped
// at MaxRetryAfter. It returns 0 when absent or unreadable.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		if n >= int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), MaxRetryAfter)
	}
	return 0
}

// scrub replaces the URL in a *url.Error with its redacted form, so that
// the secret never reaches an error message or a log.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// limiter enforces sliding-window limits: at most n posts in any window
// of length per, for each limit, plus pauses asked for by Retry-After.
type limiter struct {
	mu      sync.Mutex
	windows []window
	until   time.Time
}

type window struct {
	n     int
	per   time.Duration
	times []time.Time // the last n posts, oldest first
}

func (l *limiter) init(limits []Limit) {
	for _, lim := range limits {
		if lim.Requests > 0 && lim.Per > 0 {
			l.windows = append(l.windows, window{n: lim.Requests, per: lim.Per})
		}
	}
}

// pause holds all posts until t.
func (l *limiter) pause(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.After(l.until) {
		l.until = t
	}
}

// wait blocks until a post is allowed and records it.
func (l *limiter) wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := time.Now()
		next := l.until
		for i := range l.windows {
			w := &l.windows[i]
			if len(w.times) >= w.n {
				if t := w.times[len(w.times)-w.n].Add(w.per); t.After(next) {
					next = t
				}
			}
		}
		if !next.After(now) {
			for i := range l.windows {
				w := &l.windows[i]
				w.times = append(w.times, now)
				if len(w.times) > w.n {
					w.times = w.times[len(w.times)-w.n:]
				}
			}
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if d, ok := ctx.Deadline(); ok && d.Before(next) {
			return fmt.Errorf("rate limited until %s, past the deadline", next.Format(time.TimeOnly))
		}
		t := time.NewTimer(time.Until(next))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}
