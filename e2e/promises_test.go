package e2e

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outhook/outhook/bot/bottest"
)

// fakeWebhook is an incoming webhook on loopback that records what is
// posted to it and answers as its mode says.
type fakeWebhook struct {
	srv *httptest.Server

	mu    sync.Mutex
	mode  string // "ok": 202; "502": 502 after reading the body
	posts []string
}

func newFakeWebhook(t *testing.T, mode string) *fakeWebhook {
	f := &fakeWebhook{mode: mode}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.posts = append(f.posts, string(body))
		mode := f.mode
		f.mu.Unlock()
		if mode == "502" {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// received returns the posts so far.
func (f *fakeWebhook) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.posts...)
}

// waitPosts waits up to d for n posts and returns what arrived.
func (f *fakeWebhook) waitPosts(n int, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for len(f.received()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return f.received()
}

// TestHungHandlerReleased: a handler that ignores its context gets its
// notice in time, the connection is released at once, the hung handler
// is counted (readyz, metrics) and the bot goes on answering.
func TestHungHandlerReleased(t *testing.T) {
	tok := token()
	p := startBinary(t, hangBinary, []string{"OUTHOOK_SECRET=" + tok}, "--budget", "1s", "--plugins", "hang,ping")

	// A raw connection: the reply, then EOF while the handler still runs.
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := bottest.NewRequest(p.url("/webhook"), tok, bottest.Message{Text: "hang 6s"}.JSON())
	start := time.Now()
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body) // ends at EOF only if the server closed
	if err != nil {
		t.Fatalf("reading to EOF: %v (the connection was held)", err)
	}
	if took := time.Since(start); took > 3*time.Second || !strings.Contains(string(body), "longer than Teams allows") {
		t.Errorf("got %q after %s; want the timeout notice after about 1s", body, took)
	}
	_, verbose := get(t, p.url("/readyz?verbose"))
	if !strings.Contains(verbose, `"hung":1`) {
		t.Errorf("readyz does not count the hung handler: %s", verbose)
	}
	if _, m := get(t, p.url("/metrics")); !strings.Contains(m, `outhook_hung{webhook="default"} 1`) {
		t.Error("metrics do not count the hung handler")
	}
	if got := p.say("/webhook", tok, bottest.Message{Text: "ping"}); !strings.HasPrefix(got, "pong") {
		t.Errorf("ping beside a hung handler: got %q", got)
	}
}

// TestFollowUpNotRepeated: a result whose post got a 502 after the
// webhook read it is not posted again, and its asker is told in the next
// reply in that channel.
func TestFollowUpNotRepeated(t *testing.T) {
	tok := token()
	hook := newFakeWebhook(t, "502")
	p := startBinary(t, hangBinary, []string{"OUTHOOK_SECRET=" + tok, "OUTHOOK_FOLLOWUP_URL=" + hook.srv.URL},
		"--budget", "1s", "--plugins", "hang,ping")
	if got := p.say("/webhook", tok, bottest.Message{Text: "slow 2s"}); !strings.Contains(got, "I'll post the result") {
		t.Fatalf("got %q; want the promise to post later", got)
	}
	if posts := hook.waitPosts(1, 10*time.Second); len(posts) != 1 {
		t.Fatalf("got %d posts; want 1", len(posts))
	}
	time.Sleep(2 * time.Second) // time for a (wrong) retry
	if posts := hook.received(); len(posts) != 1 {
		t.Errorf("the result was posted %d times after a 502 that read it; want once", len(posts))
	}
	if got := p.say("/webhook", tok, bottest.Message{Text: "ping"}); !strings.Contains(got, "slow 2s") {
		t.Errorf("next reply %q does not tell the asker about the result that may not have arrived", got)
	}
}

// TestPanicInJob: a c.Go job that panics does not end the process; its
// asker hears of it.
func TestPanicInJob(t *testing.T) {
	tok := token()
	hook := newFakeWebhook(t, "ok")
	p := startBinary(t, hangBinary, []string{"OUTHOOK_SECRET=" + tok, "OUTHOOK_FOLLOWUP_URL=" + hook.srv.URL},
		"--plugins", "hang,ping")
	if got := p.say("/webhook", tok, bottest.Message{Text: "bgpanic"}); !strings.Contains(got, "On it") {
		t.Fatalf("got %q", got)
	}
	posts := hook.waitPosts(1, 10*time.Second)
	if len(posts) != 1 || !strings.Contains(posts[0], "ref") {
		t.Errorf("got posts %q; want one failure notice with a ref", posts)
	}
	if got := p.say("/webhook", tok, bottest.Message{Text: "ping"}); !strings.HasPrefix(got, "pong") {
		t.Errorf("after the panic: got %q; want pong", got)
	}
}

// TestPluginGoroutinePanicEndsProcess documents the one thing outhook
// cannot catch: a panic in a goroutine the plugin started itself ends the
// process (c.Go is the safe way).
func TestPluginGoroutinePanicEndsProcess(t *testing.T) {
	tok := token()
	p := startBinary(t, hangBinary, []string{"OUTHOOK_SECRET=" + tok}, "--plugins", "hang")
	bottest.Post(&http.Client{Timeout: 5 * time.Second}, p.url("/webhook"), tok, bottest.Message{Text: "crash"}.JSON())
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the process survived a panic in a plugin's own goroutine; update the docs")
	}
	if !strings.Contains(p.logs.String(), "plugin goroutine exploded") {
		t.Error("the panic is not in the output")
	}
}

// TestShutdownThenRestart: SIGTERM with jobs in flight while the
// follow-up webhook is down: the exit status says work was cut off; the
// next run, with the webhook back, tells each asker exactly once.
func TestShutdownThenRestart(t *testing.T) {
	tok := token()
	hookAddr := freePort(t) // nothing listens there yet: the webhook is down
	data := t.TempDir()
	env := []string{"OUTHOOK_SECRET=" + tok, "OUTHOOK_FOLLOWUP_URL=http://" + hookAddr + "/hook", "OUTHOOK_DATA_DIR=" + data}
	args := []string{"--plugins", "hang,ping,jobs", "--grace", "1s", "--job-timeout", "1m"}

	p := startBinary(t, hangBinary, env, args...)
	for i := 0; i < 3; i++ {
		if got := p.say("/webhook", tok, bottest.Message{Text: "bg 30s"}); !strings.Contains(got, "On it") {
			t.Fatalf("got %q; want the job taken", got)
		}
	}
	if code := p.stop(); code != 1 {
		t.Errorf("exit %d after cutting off 3 jobs; want 1\n%s", code, p.logs.String())
	}

	// The webhook is back; so is the bot.
	ln, err := net.Listen("tcp", hookAddr)
	if err != nil {
		t.Fatal(err)
	}
	hook := &fakeWebhook{mode: "ok"}
	hook.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hook.mu.Lock()
		hook.posts = append(hook.posts, string(body))
		hook.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	hook.srv.Listener.Close()
	hook.srv.Listener = ln
	hook.srv.Start()
	defer hook.srv.Close()

	startBinary(t, hangBinary, env, args...)
	hook.waitPosts(3, 20*time.Second)
	time.Sleep(time.Second) // a fourth would be a repeat
	posts := hook.received()
	if len(posts) != 3 {
		t.Fatalf("got %d posts after the restart; want 3, one per cut-off job:\n%s", len(posts), strings.Join(posts, "\n"))
	}
	for _, post := range posts {
		if !strings.Contains(post, "bg 30s") {
			t.Errorf("a notice that does not say which command it was about: %s", post)
		}
	}
}
