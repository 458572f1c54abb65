package incoming_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/incoming"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var update = flag.Bool("update", false, "rewrite golden files")

// receiver is a local incoming webhook that answers from a script, one
// step per request, repeating the last step.
type receiver struct {
	url    string
	mu     sync.Mutex
	script []string
	bodies [][]byte
	stop   chan struct{}
}

// step: "202", "200 1", "200 Microsoft Teams endpoint returned HTTP error 429",
// "429 2" (Retry-After 2), "500", "400", or "hang".
func newReceiver(t *testing.T, script ...string) *receiver {
	t.Helper()
	r := &receiver{script: script, stop: make(chan struct{})}
	ts := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() { close(r.stop); ts.Close() })
	r.url = ts.URL + "/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=TOPSECRETSIG"
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	step := r.script[min(len(r.bodies), len(r.script)-1)]
	r.bodies = append(r.bodies, body)
	r.mu.Unlock()
	code, arg, _ := strings.Cut(step, " ")
	switch code {
	case "hang":
		select {
		case <-req.Context().Done():
		case <-r.stop:
		}
	case "202":
		w.WriteHeader(http.StatusAccepted)
	case "429":
		if arg != "" {
			w.Header().Set("Retry-After", arg)
		}
		w.WriteHeader(http.StatusTooManyRequests)
	case "200":
		io.WriteString(w, arg)
	case "500":
		http.Error(w, "flow failed", http.StatusInternalServerError)
	case "502":
		http.Error(w, "bad gateway", http.StatusBadGateway)
	case "503":
		if arg != "" {
			w.Header().Set("Retry-After", arg)
		}
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	case "408":
		http.Error(w, "timeout", http.StatusRequestTimeout)
	case "400":
		http.Error(w, "Summary or Text is required.", http.StatusBadRequest)
	}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func (r *receiver) body(i int) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies[i]
}

// newSender returns a Sender with fast retries and its own transport,
// closed when the test ends.
func newSender(t *testing.T, url string, cfg incoming.Config) *incoming.Sender {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	if cfg.Client == nil {
		cfg.Client = &http.Client{Transport: tr}
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = time.Millisecond, 5*time.Millisecond
	}
	if cfg.AttemptTimeout == 0 {
		cfg.AttemptTimeout = 100 * time.Millisecond
	}
	s, err := incoming.New(url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDelivery(t *testing.T) {
	tests := []struct {
		name      string
		kind      incoming.Kind
		script    []string
		attempts  int
		status    int // of the error; 0 for success
		uncertain bool
	}{
		{"workflows 202", incoming.Workflows, []string{"202"}, 1, 0, false},
		{"connector 1", incoming.Connector, []string{"200 1"}, 1, 0, false},
		{"connector throttled in body", incoming.Connector,
			[]string{"200 Microsoft Teams endpoint returned HTTP error 429", "200 1"}, 2, 0, false},
		{"connector odd 200", incoming.Connector, []string{"200 something else"}, 1, 200, true},
		{"429 then 202", incoming.Workflows, []string{"429 0", "202"}, 2, 0, false},
		{"408 then 202", incoming.Workflows, []string{"408", "202"}, 2, 0, false},
		{"503 with Retry-After then 202", incoming.Workflows, []string{"503 0", "202"}, 2, 0, false},
		{"503 without Retry-After is not retried", incoming.Workflows, []string{"503", "202"}, 1, 503, true},
		{"500 after the body is not retried", incoming.Workflows, []string{"500", "202"}, 1, 500, true},
		{"502 after the body is not retried", incoming.Workflows, []string{"502", "202"}, 1, 502, true},
		{"429 always", incoming.Workflows, []string{"429 0"}, 3, 429, false},
		{"400 is final", incoming.Workflows, []string{"400"}, 1, 400, false},
		{"hang is not retried", incoming.Workflows, []string{"hang", "202"}, 1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, tt.script...)
			s := newSender(t, rc.url, incoming.Config{Kind: tt.kind, MaxAttempts: 3})
			err := s.Send(context.Background(), incoming.Message{Text: "hello"})
			if got := rc.count(); got != tt.attempts {
				t.Errorf("got %d requests; want %d", got, tt.attempts)
			}
			if tt.status == 0 && !tt.uncertain {
				if err != nil {
					t.Fatalf("got %v; want success", err)
				}
				return
			}
			var e *incoming.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v; want an *incoming.Error", err)
			}
			if e.Status != tt.status || e.Uncertain != tt.uncertain || e.Attempts != tt.attempts {
				t.Errorf("got status %d uncertain %v attempts %d; want %d %v %d",
					e.Status, e.Uncertain, e.Attempts, tt.status, tt.uncertain, tt.attempts)
			}
			if strings.Contains(err.Error(), "TOPSECRETSIG") || strings.Contains(err.Error(), "/workflows/abc") {
				t.Errorf("error leaks the URL: %v", err)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Run("honoured", func(t *testing.T) {
		rc := newReceiver(t, "429 1", "202")
		s := newSender(t, rc.url, incoming.Config{})
		start := time.Now()
		if err := s.Send(context.Background(), incoming.Message{Text: "x"}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < time.Second {
			t.Errorf("retried after %v; want at least the 1s Retry-After", took)
		}
	})
	t.Run("past the deadline fails at once", func(t *testing.T) {
		rc := newReceiver(t, "429 120", "202")
		s := newSender(t, rc.url, incoming.Config{})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		err := s.Send(ctx, incoming.Message{Text: "x"})
		if err == nil || !strings.Contains(err.Error(), "past the deadline") {
			t.Errorf("got %v; want a past-the-deadline error", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("gave up after %v; want at once", took)
		}
	})
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	url := ts.URL + "/hook?sig=TOPSECRETSIG"
	ts.Close()
	logs := &bytes.Buffer{}
	s := newSender(t, url, incoming.Config{MaxAttempts: 2, Logger: zerolog.New(logs)})
	err := s.Send(context.Background(), incoming.Message{Text: "x"})
	var e *incoming.Error
	if !errors.As(err, &e) || e.Uncertain || e.Attempts != 2 {
		t.Fatalf("got %#v; want 2 certain failed attempts", err)
	}
	for _, out := range []string{err.Error(), logs.String()} {
		if strings.Contains(out, "TOPSECRETSIG") || strings.Contains(out, "/hook") {
			t.Errorf("leaks the URL: %s", out)
		}
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("logs lack the retry: %s", logs)
	}
}

func TestAtMostOnce(t *testing.T) {
	rc := newReceiver(t, "429 0", "202")
	s := newSender(t, rc.url, incoming.Config{MaxAttempts: 1})
	m := incoming.Message{Key: "1730291857353#1", Text: "result"}
	if err := s.Send(context.Background(), m); err == nil {
		t.Fatal("first send succeeded; want the 429")
	}
	// Surely not posted: the key is free again.
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("second send: %v", err)
	}
	if err := s.Send(context.Background(), m); !errors.Is(err, incoming.ErrDuplicate) {
		t.Errorf("third send: got %v; want ErrDuplicate", err)
	}
	if got := rc.count(); got != 2 {
		t.Errorf("got %d requests; want 2", got)
	}

	// After an uncertain try the key stays taken.
	hang := newReceiver(t, "hang")
	s = newSender(t, hang.url, incoming.Config{AttemptTimeout: 30 * time.Millisecond})
	m.Key = "other#1"
	if err := s.Send(context.Background(), m); !errors.Is(err, bot.ErrMaybePosted) {
		t.Errorf("a timeout after the write: got %v; want bot.ErrMaybePosted", err)
	}
	if err := s.Send(context.Background(), m); !errors.Is(err, incoming.ErrDuplicate) {
		t.Errorf("after a timeout: got %v; want ErrDuplicate", err)
	}

	// A 502 after the body was read: sent once, never again.
	bad := newReceiver(t, "502", "202")
	s = newSender(t, bad.url, incoming.Config{})
	m.Key = "third#1"
	if err := s.Send(context.Background(), m); !errors.Is(err, bot.ErrMaybePosted) {
		t.Errorf("502: got %v; want bot.ErrMaybePosted", err)
	}
	if err := s.Send(context.Background(), m); !errors.Is(err, incoming.ErrDuplicate) {
		t.Errorf("after a 502: got %v; want ErrDuplicate", err)
	}
	if got := bad.count(); got != 1 {
		t.Errorf("the 502 endpoint got %d requests; want 1", got)
	}
}

func TestRateLimit(t *testing.T) {
	rc := newReceiver(t, "202")
	s := newSender(t, rc.url, incoming.Config{Limits: []incoming.Limit{{Requests: 3, Per: 100 * time.Millisecond}}})
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 7; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Send(context.Background(), incoming.Message{Text: "x"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// 7 posts at 3 per 100ms need two full windows.
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("7 posts took %v; want at least 200ms at 3 per 100ms", took)
	}
}

func TestTooLarge(t *testing.T) {
	rc := newReceiver(t, "202")
	s := newSender(t, rc.url, incoming.Config{})
	err := s.Send(context.Background(), incoming.Message{Text: strings.Repeat("x", 40<<10)})
	if !errors.Is(err, incoming.ErrTooLarge) {
		t.Errorf("got %v; want ErrTooLarge", err)
	}
	if rc.count() != 1 || !bytes.Contains(rc.body(0), []byte("too large to post")) {
		t.Errorf("got %d posts; want one note", rc.count())
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct{ url, want string }{
		{"http://prod-1.westeurope.logic.azure.com/workflows/x?sig=TOPSECRETSIG", "must use https"},
		{"ftp://example.com/x?sig=TOPSECRETSIG", "must use https"},
		{"not a url", "not a valid webhook URL"},
		{"", "not a valid webhook URL"},
	}
	for _, tt := range tests {
		_, err := incoming.New(tt.url, incoming.Config{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "TOPSECRETSIG") {
			t.Errorf("New(%q): got %v; want %q without the secret", tt.url, err, tt.want)
		}
	}
}

func TestKindOfAndRedact(t *testing.T) {
	tests := []struct {
		url      string
		kind     incoming.Kind
		redacted string
	}{
		{"https://prod-12.westeurope.logic.azure.com:443/workflows/a1/triggers/manual/paths/invoke?api-version=2016-06-01&sig=S3CR3T",
			incoming.Workflows, "https://prod-12.westeurope.logic.azure.com:443/…"},
		{"https://default1.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/a1/triggers/manual/paths/invoke?sig=S3CR3T",
			incoming.Workflows, "https://default1.environment.api.powerplatform.com:443/…"},
		{"https://contoso.webhook.office.com/webhookb2/g@t/IncomingWebhook/S3CR3T/g2",
			incoming.Connector, "https://contoso.webhook.office.com/…"},
		{"https://outlook.office.com/webhook/g@t/IncomingWebhook/S3CR3T/g2", incoming.Connector, "https://outlook.office.com/…"},
		{"https://outlook.office.com/owa/", incoming.Workflows, "https://outlook.office.com/…"},
	}
	for _, tt := range tests {
		if got := incoming.KindOf(tt.url); got != tt.kind {
			t.Errorf("KindOf(%q): got %v; want %v", tt.url, got, tt.kind)
		}
		if got := incoming.Redact(tt.url); got != tt.redacted {
			t.Errorf("Redact(%q): got %q; want %q", tt.url, got, tt.redacted)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("https://prod-12.westeurope.logic.azure.com:443/workflows/a1/paths/invoke?sig=S3CR3T")
	f.Add("https://contoso.webhook.office.com/webhookb2/S3CR3T")
	f.Fuzz(func(t *testing.T, u string) {
		got := incoming.Redact(u)
		if strings.Contains(u, "S3CR3T") && strings.Contains(got, "S3CR3T") {
			t.Errorf("Redact(%q) = %q keeps the secret", u, got)
		}
		_ = incoming.KindOf(u)
	})
}

func TestPayloads(t *testing.T) {
	adaptive := bot.Attachment{ContentType: incoming.AdaptiveCard, Content: bot.RawJSON(
		`{"type":"AdaptiveCard","version":"1.5","body":[{"type":"FactSet","facts":[{"title":"env","value":"prod"}]}],` +
			`"actions":[{"type":"Action.OpenUrl","title":"Logs","url":"https://ci.example/42"}]}`)}
	hero := bot.Attachment{ContentType: "application/vnd.microsoft.card.hero", Content: bot.RawJSON(
		`{"title":"Build 42","text":"passed","buttons":[{"type":"openUrl","title":"Open","value":"https://ci.example/42"},{"type":"imBack","title":"dead","value":"x"}]}`)}
	connector := bot.Attachment{ContentType: incoming.ConnectorCard, Content: bot.RawJSON(
		`{"@type":"MessageCard","themeColor":"00FF00","sections":[{"facts":[{"name":"env","value":"prod"}]}]}`)}
	ada := &bot.Account{ID: "29:1ada", Name: "Lovelace, Ada & co", AADObjectID: "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f"}

	// A result that mentions the asker again (by Teams id: one mention,
	// by AAD object id), someone whose name needs escaping, and a tag with
	// no entity; a card with its own mentions, one a duplicate, one unused.
	bob := bot.Account{ID: "29:1bob", Name: "Bob <Ops> & *Sons*"}
	mentioned := bot.Text("Deployed, thanks").Mention(*ada, bob)
	mentioned.Text += "; cc <at>No*body</at>"
	mentioned.Entities = append(mentioned.Entities, bot.Entity{Type: "clientInfo", Locale: "en-GB"})
	onCall := bot.Attachment{ContentType: incoming.AdaptiveCard, Content: bot.RawJSON(
		`{"type":"AdaptiveCard","version":"1.4","body":[` +
			`{"type":"TextBlock","text":"On call: <at>Grace Hopper</at>"},` +
			`{"type":"FactSet","facts":[{"title":"reviewer","value":"<at>Bob &lt;Ops&gt; &amp; *Sons*</at>"}]}],` +
			`"msteams":{"entities":[` +
			`{"type":"mention","text":"<at>Grace Hopper</at>","mentioned":{"id":"grace@contoso.com","name":"Grace Hopper"}},` +
			`{"type":"mention","text":"<at>Bob &lt;Ops&gt; &amp; *Sons*</at>","mentioned":{"id":"29:1bob","name":"Bob <Ops> & *Sons*"}},` +
			`{"type":"mention","text":"<at>Ghost</at>","mentioned":{"id":"29:ghost","name":"Ghost"}}]}}`)}
	sectioned := bot.Attachment{ContentType: incoming.ConnectorCard, Content: bot.RawJSON(
		`{"@type":"MessageCard","summary":"On call: <at>Grace Hopper</at>","sections":[{"activityTitle":"On call: <at>Grace Hopper</at>"}]}`)}
	withMentions := incoming.Message{Mention: ada, Quote: "deploy prod <at>x</at>", Text: mentioned.Text, Entities: mentioned.Entities}
	withCard := withMentions
	withCard.Attachments = []bot.Attachment{onCall}
	withConnector := withMentions
	withConnector.Attachments = []bot.Attachment{sectioned}
	noAAD := &bot.Account{ID: "29:1old", Name: "Old Client"}
	tests := []struct {
		name string
		kind incoming.Kind
		m    incoming.Message
	}{
		{"workflows-followup", incoming.Workflows, incoming.Message{Mention: ada, Quote: "deploy prod", Text: "**deployed** in 42s"}},
		{"workflows-adaptive", incoming.Workflows, incoming.Message{Mention: ada, Quote: "status", Attachments: []bot.Attachment{adaptive}}},
		{"workflows-hero", incoming.Workflows, incoming.Message{Attachments: []bot.Attachment{hero}}},
		{"connector-followup", incoming.Connector, incoming.Message{Mention: ada, Quote: "deploy `prod`", Text: "**deployed**"}},
		{"connector-card", incoming.Connector, incoming.Message{Mention: ada, Quote: "status", Attachments: []bot.Attachment{connector}}},
		{"connector-adaptive", incoming.Connector, incoming.Message{Mention: ada, Quote: "status", Attachments: []bot.Attachment{adaptive}}},
		{"workflows-mentions", incoming.Workflows, withCard},
		{"workflows-asker-teams-id", incoming.Workflows, incoming.Message{Mention: noAAD, Quote: "ping", Text: "pong"}},
		{"connector-mentions", incoming.Connector, withConnector},
		{"connector-adaptive-mentions", incoming.Connector, withCard},
		{"send-title", incoming.Connector, incoming.Message{Title: "Nightly build", Text: "passed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, "202")
			if tt.kind == incoming.Connector {
				rc.script = []string{"200 1"}
			}
			s := newSender(t, rc.url, incoming.Config{Kind: tt.kind})
			if err := s.Send(context.Background(), tt.m); err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(rc.body(0), &v); err != nil {
				t.Fatalf("posted invalid JSON: %v", err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			got := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			golden := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if string(append(got, '\n')) != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
