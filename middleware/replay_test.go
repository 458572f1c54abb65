package middleware_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/middleware"
)

// replayServer serves h behind Replay with store through a real Echo app
// on loopback, and returns the webhook URL and its token.
func replayServer(t *testing.T, store middleware.ReplayStore, h bot.Handler) (url, token string) {
	t.Helper()
	return replayServerWithConfig(t, middleware.ReplayConfig{Store: store}, h)
}

// replayServerWithConfig is replayServer with Replay's whole config.
func replayServerWithConfig(t *testing.T, config middleware.ReplayConfig, h bot.Handler) (url, token string) {
	t.Helper()
	token = bot.NewToken()
	b, err := bot.New(bot.Config{Secrets: []string{token},
		Handler: middleware.Chain(h, middleware.ReplayWithConfig(config))})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL + "/webhook", token
}

// TestReplayKeysAreCanonical delivers an activity, then the same activity
// with its tenant or channel id re-cased: the second is a duplicate, and
// the command ran once.
func TestReplayKeysAreCanonical(t *testing.T) {
	tests := []struct {
		name            string
		tenant, channel func(string) string
	}{
		{"channel upper-cased", same, strings.ToUpper},
		{"tenant upper-cased", strings.ToUpper, same},
		{"both upper-cased", strings.ToUpper, strings.ToUpper},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var runs atomic.Int64
			url, token := replayServer(t, middleware.NewMemoryStore(100), bot.HandlerFunc(func(c *bot.Context) error {
				return c.Textf("run %d", runs.Add(1))
			}))
			m := bottest.Message{Text: "hi", ID: "1700000000001"}
			if r, err := bottest.Post(http.DefaultClient, url, token, m.JSON()); err != nil || r.Text != "run 1" {
				t.Fatalf("first delivery: got %q %v; want %q", r.Text, err, "run 1")
			}
			m.Tenant, m.Channel = tt.tenant(bottest.DefaultTenant), tt.channel(bottest.DefaultChannel)
			if r, err := bottest.Post(http.DefaultClient, url, token, m.JSON()); err != nil || r.Text != "run 1" {
				t.Errorf("re-cased delivery: got %q %v; want the first reply %q", r.Text, err, "run 1")
			}
			if n := runs.Load(); n != 1 {
				t.Errorf("ran %d times; want 1", n)
			}
		})
	}
}

func same(s string) string { return s }

// keyRecorder is a ReplayStore that records the keys it is given.
type keyRecorder struct {
	middleware.ReplayStore
	mu   sync.Mutex
	keys []string
}

func (k *keyRecorder) Claim(ctx context.Context, key string, ttl time.Duration) (bool, []byte, error) {
	k.mu.Lock()
	k.keys = append(k.keys, key)
	k.mu.Unlock()
	return k.ReplayStore.Claim(ctx, key, ttl)
}

// TestReplayKeyPrefix: two bots share one store, each with its own
// KeyPrefix. The same activity runs once in each, its second delivery to
// either is a duplicate, and every key the store sees starts with the
// bot's prefix.
func TestReplayKeyPrefix(t *testing.T) {
	store := &keyRecorder{ReplayStore: middleware.NewMemoryStore(100)}
	var runs atomic.Int64
	h := bot.HandlerFunc(func(c *bot.Context) error { return c.Textf("run %d", runs.Add(1)) })
	urlA, tokenA := replayServerWithConfig(t, middleware.ReplayConfig{Store: store, KeyPrefix: "a:"}, h)
	urlB, tokenB := replayServerWithConfig(t, middleware.ReplayConfig{Store: store, KeyPrefix: "b:"}, h)
	body := bottest.Message{Text: "hi", ID: "1700000000002"}.JSON()
	for _, step := range []struct {
		url, token, want string
	}{
		{urlA, tokenA, "run 1"},
		{urlB, tokenB, "run 2"}, // another bot: not a duplicate
		{urlA, tokenA, "run 1"}, // the first bot's reply, kept
		{urlB, tokenB, "run 2"},
	} {
		if r, err := bottest.Post(http.DefaultClient, step.url, step.token, body); err != nil || r.Text != step.want {
			t.Errorf("got %q %v; want %q", r.Text, err, step.want)
		}
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("ran %d times; want 2", n)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	for i, key := range store.keys {
		want := []string{"a:", "b:"}[i%2] + "replay:"
		if !strings.HasPrefix(key, want) {
			t.Errorf("key %q; want it to start with %q", key, want)
		}
	}
}

// TestReplayKeepsTheReplyAsSent answers with a reply far over Teams'
// limit: the duplicate gets exactly what the first delivery got, the
// reply as cut to the limit.
func TestReplayKeepsTheReplyAsSent(t *testing.T) {
	big := strings.Repeat("0123456789 ", 10_000) // 110 KB
	url, token := replayServer(t, middleware.NewMemoryStore(100), bot.HandlerFunc(func(c *bot.Context) error {
		return c.Text(big)
	}))
	body := bottest.Message{Text: "big"}.JSON()
	first, err := bottest.Post(http.DefaultClient, url, token, body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(first.Text); n >= len(big) || n > bot.MaxReplySize {
		t.Fatalf("first reply: got %d bytes of text; want it cut below %d", n, bot.MaxReplySize)
	}
	second, err := bottest.Post(http.DefaultClient, url, token, body)
	if err != nil {
		t.Fatal(err)
	}
	if second.Text != first.Text {
		t.Errorf("duplicate: got %d bytes %.40q…; want the first reply, %d bytes", len(second.Text), second.Text, len(first.Text))
	}
}

// TestMemoryStoreBytesPerActivity fills a store with remembered
// activities, each with a small kept reply, and measures what one costs
// in resident memory beyond the reply's own bytes. (The store lives
// outside the Go heap: the process's resident set is what counts.)
func TestMemoryStoreBytesPerActivity(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/statm")
	}
	const entries, replyBytes = 100_000, 8 << 20
	reply := []byte(`{"type":"message","text":"pong (339µs)"}`)
	ctx := context.Background()
	m := middleware.NewMemoryStoreWithConfig(middleware.MemoryStoreConfig{Entries: entries, ReplyBytes: replyBytes})
	key := []byte("default:replay:72f988bf-86f1-41af-91ab-2d7cd011db47|19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2|")
	prefix := len(key)
	before := residentBytes(t)
	for i := range entries {
		key = strconv.AppendInt(key[:prefix], 1_700_000_000_000+int64(i), 10)
		k := unsafe.String(unsafe.SliceData(key), len(key)) // no garbage: the store only hashes it
		if first, _, _ := m.Claim(ctx, k, time.Hour); !first {
			t.Fatalf("claim %d: not first", i)
		}
		m.Keep(ctx, k, reply)
	}
	grew := residentBytes(t) - before
	per := float64(grew-entries*int64(len(reply))) / entries
	t.Logf("%.1f bytes per remembered activity, plus its %d-byte reply (%d bytes resident for %d)", per, len(reply), grew, entries)
	if per > 100 {
		t.Errorf("got %.1f bytes per remembered activity; want at most 100", per)
	}
	runtime.KeepAlive(m)
}

// residentBytes returns the process's resident set size.
func residentBytes(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(data))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}

// TestMemoryStoreBoundedInBytes keeps 200 MB of large replies: the
// process grows by about the ring's size, not theirs, and the newest are
// still answered.
func TestMemoryStoreBoundedInBytes(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/statm")
	}
	const replyBytes = 1 << 20
	ctx := context.Background()
	reply := []byte(strings.Repeat("x", 100_000))
	m := middleware.NewMemoryStoreWithConfig(middleware.MemoryStoreConfig{Entries: 10_000, ReplyBytes: replyBytes})
	before := residentBytes(t)
	for i := range 2_000 {
		key := fmt.Sprint("k", i)
		m.Claim(ctx, key, time.Hour)
		m.Keep(ctx, key, reply)
	}
	if grew := residentBytes(t) - before; grew > 4<<20 {
		t.Errorf("grew by %d bytes for 200 MB of replies; want at most 4 MiB", grew)
	}
	if _, got, _ := m.Claim(ctx, "k1999", time.Hour); len(got) != len(reply) {
		t.Errorf("newest key: got a %d-byte reply; want %d", len(got), len(reply))
	}
	if first, got, _ := m.Claim(ctx, "k0", time.Hour); first || got != nil {
		t.Errorf("oldest key: got first=%v and a %d-byte reply; want remembered, its reply overwritten", first, len(got))
	}
	huge := make([]byte, replyBytes/2)
	m.Claim(ctx, "huge", time.Hour)
	m.Keep(ctx, "huge", huge)
	if _, got, _ := m.Claim(ctx, "huge", time.Hour); got != nil {
		t.Errorf("a reply over a quarter of the ring: got %d bytes kept; want none", len(got))
	}
}

// TestDuplicateLogsOneLine: a duplicate delivery is one log line, the
// request's answered line, saying what became of it; its first delivery
// ran once.
func TestDuplicateLogsOneLine(t *testing.T) {
	tests := []struct {
		name  string
		reply bool // the first delivery replied with text
		want  string
	}{
		{"answered with the first reply", true, `"duplicate":"answered with the first reply"`},
		{"nothing kept", false, `"duplicate":"not run again"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bottest.LogBuffer
			token := bot.NewToken()
			h := bot.HandlerFunc(func(c *bot.Context) error {
				if tt.reply {
					return c.Text("first")
				}
				return nil
			})
			b, err := bot.New(bot.Config{Secrets: []string{token}, Logger: zerolog.New(&logs),
				Handler: middleware.Chain(h, middleware.ReplayWithConfig(middleware.ReplayConfig{Store: middleware.NewMemoryStore(100)}))})
			if err != nil {
				t.Fatal(err)
			}
			e := echo.New()
			b.Mount(e, "/webhook")
			srv := httptest.NewServer(e)
			defer srv.Close()
			body := bottest.Message{Text: "hi", ID: "1700000000042"}.JSON()
			for range 2 {
				if _, err := bottest.Post(http.DefaultClient, srv.URL+"/webhook", token, body); err != nil {
					t.Fatal(err)
				}
			}
			// A request's line is logged once its reply is on its way:
			// Close waits for the requests, and so for their lines.
			srv.Close()
			b.Shutdown(context.Background())
			var dup []string
			for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(l, `"command":"duplicate"`) {
					dup = append(dup, l)
				}
			}
			if len(dup) != 1 || !strings.Contains(dup[0], `"message":"answered"`) || !strings.Contains(dup[0], tt.want) {
				t.Errorf("got the duplicate's lines %q; want one answered line with %s", dup, tt.want)
			}
		})
	}
}
