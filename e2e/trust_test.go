package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// TestReplayKeyCase: the same activity delivered again with its channel
// id in another case is the same activity (issue 10, finding 10): it runs
// once.
func TestReplayKeyCase(t *testing.T) {
	tok := token()
	p := start(t, []string{"OUTHOOK_SECRET=" + tok})
	m := bottest.Message{Text: "ping", ID: "1733500000123", Channel: "19:AbCdEf0123@thread.tacv2"}
	first := p.say("/webhook", tok, m)
	m.Channel = strings.ToLower(m.Channel)
	second := p.say("/webhook", tok, m)
	p.stop()
	if first != second {
		t.Errorf("second delivery got %q; want the first reply %q", second, first)
	}
	if n := len(p.logLines(`"audit":true`, `"command":"ping"`)); n != 1 {
		t.Errorf("ping ran %d times; want once:\n%s", n, p.logs.String())
	}
}

// TestDrainKeepsServing: during --drain, /readyz says 503 while commands
// and c.Go jobs are still served; the jobs drain after HTTP stops and
// their results are posted (issue 10, finding 12).
func TestDrainKeepsServing(t *testing.T) {
	tok := token()
	hook := newFakeWebhook(t, "ok")
	p := startBinary(t, hangBinary, []string{"OUTHOOK_SECRET=" + tok, "OUTHOOK_FOLLOWUP_URL=" + hook.srv.URL},
		"--plugins", "hang,ping", "--drain", "3s", "--grace", "10s")
	stopped := make(chan int, 1)
	go func() { stopped <- p.stop() }()
	deadline := time.Now().Add(3 * time.Second)
	for {
		if status, _ := get(t, p.url("/readyz")); status == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not turn 503 after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := p.say("/webhook", tok, bottest.Message{Text: "ping"}); !strings.HasPrefix(got, "pong") {
		t.Errorf("ping during the drain: got %q", got)
	}
	if got := p.say("/webhook", tok, bottest.Message{Text: "bg 2s"}); !strings.Contains(got, "On it") {
		t.Errorf("c.Go during the drain: got %q; want the job taken", got)
	}
	if code := <-stopped; code != 0 {
		t.Errorf("exit %d; want 0 (nothing was dropped)", code)
	}
	if posts := hook.received(); len(posts) != 1 || !strings.Contains(posts[0], "background result after 2s") {
		t.Errorf("got posts %q; want the job's result, posted before the process ended", posts)
	}
}

// TestOversizeBodyGets413: a common HTTP client posting more than the
// limit reads its 413, not a connection reset (issue 10, finding 13).
func TestOversizeBodyGets413(t *testing.T) {
	tok := token()
	p := start(t, []string{"OUTHOOK_SECRET=" + tok}, "--body-limit", "65536")
	body := bytes.Repeat([]byte("x"), 1<<20)
	sig, err := bot.Sign(tok, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, chunked := range []bool{false, true} {
		req, _ := http.NewRequest(http.MethodPost, p.url("/webhook"), bytes.NewReader(body))
		req.Header.Set("Authorization", sig)
		req.Header.Set("Content-Type", "application/json")
		if chunked {
			req.ContentLength = -1
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("chunked=%v: %v; want a 413 answer", chunked, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked=%v: got %d; want 413", chunked, resp.StatusCode)
		}
	}
}
