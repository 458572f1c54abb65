package cmd

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outhook/outhook/bot/bottest"
)

// inHook is a local incoming webhook that records bodies and answers with
// status (and "1" for 200, as a connector does).
type inHook struct {
	mu     sync.Mutex
	bodies []string
	status int
}

func newHook(t *testing.T, status int) (*inHook, string) {
	t.Helper()
	h := &inHook{status: status}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, string(b))
		h.mu.Unlock()
		w.WriteHeader(h.status)
		if h.status == 200 {
			io.WriteString(w, "1")
		}
	}))
	t.Cleanup(ts.Close)
	return h, ts.URL + "/workflows/x/triggers/manual/paths/invoke?sig=TOPSECRETSIG"
}

func (h *inHook) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bodies) == 0 {
		return ""
	}
	return h.bodies[len(h.bodies)-1]
}

func TestSend(t *testing.T) {
	dir := t.TempDir()
	adaptive := filepath.Join(dir, "card.json")
	os.WriteFile(adaptive, []byte(`{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"from a file"}]}`), 0o600)
	message := filepath.Join(dir, "message.json")
	os.WriteFile(message, []byte(`{"type":"message","text":"hi","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","body":[]}}]}`), 0o600)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"type":"Nope"}`), 0o600)
	msgCard := `{"@type":"MessageCard","summary":"s","text":"from stdin"}`
	// A whole message with a mention (as a bot reply has it), and a card
	// with its own: on Workflows both stay mentions, on a connector the
	// names are bold.
	mentioning := filepath.Join(dir, "mentioning.json")
	os.WriteFile(mentioning, []byte(`{"type":"message","text":"ping <at>R&amp;D</at>",`+
		`"entities":[{"type":"mention","text":"<at>R&amp;D</at>","mentioned":{"id":"29:rd","name":"R&D"}}]}`), 0o600)
	mentionCard := `{"type":"AdaptiveCard","body":[{"type":"TextBlock","text":"<at>Grace</at>"}],` +
		`"msteams":{"entities":[{"type":"mention","text":"<at>Grace</at>","mentioned":{"id":"grace@contoso.com","name":"Grace"}}]}}`

	tests := []struct {
		name   string
		status int
		stdin  string
		args   []string
		code   int
		out    string // in stdout (code 0) or stderr
		posted string // in the posted body
	}{
		{"text", 202, "", []string{"Build", "**42**", "passed"}, 0, "posted to http://127.0.0.1:", `"text":"Build **42** passed"`},
		{"title and adaptive file", 202, "", []string{"--title", "Nightly", "--card", adaptive}, 0, "(workflows)", `from a file`},
		{"whole message", 202, "", []string{"--card", message}, 0, "posted", `"text":"hi"`},
		{"message card from stdin to a connector", 200, msgCard, []string{"--kind", "connector", "--card", "-"}, 0, "(connector)", `"@type":"MessageCard"`},
		{"message with a mention", 202, "", []string{"--card", mentioning}, 0, "(workflows)",
			`"entities":[{"mentioned":{"id":"29:rd","name":"R\u0026D"},"text":"\u003cat\u003eR\u0026amp;D\u003c/at\u003e","type":"mention"}]`},
		{"message with a mention to a connector", 200, "", []string{"--kind", "connector", "--card", mentioning}, 0, "(connector)",
			`"text":"ping **R\u0026amp;D**"`},
		{"card with a mention", 202, mentionCard, []string{"--card", "-"}, 0, "(workflows)", `"id":"grace@contoso.com"`},
		{"text with a tag to a connector", 200, "", []string{"--kind", "connector", "hi <at>Bob</at>"}, 0, "(connector)", `"text":"hi **Bob**"`},
		{"message card to workflows", 202, msgCard, []string{"--card", "-"}, 1, "cannot be posted to a Workflows URL", ""},
		{"not a card", 202, "", []string{"--card", bad}, 1, "not a card", ""},
		{"nothing", 202, "", nil, 1, "nothing to send", ""},
		{"rejected", 400, "", []string{"--attempts", "1", "hello"}, 1, "400 Bad Request", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, url := newHook(t, tt.status)
			t.Setenv("OUTHOOK_WEBHOOK_URL", url)
			code, out, errOut := run(t, tt.stdin, append([]string{"send"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("got code %d (out %q, err %q); want %d", code, out, errOut, tt.code)
			}
			where := out
			if code != 0 {
				where = errOut
			}
			if !strings.Contains(where, tt.out) {
				t.Errorf("got %q; want %q", where, tt.out)
			}
			if strings.Contains(out+errOut, "TOPSECRETSIG") {
				t.Errorf("output leaks the URL: %q %q", out, errOut)
			}
			if tt.posted != "" && !strings.Contains(h.last(), tt.posted) {
				t.Errorf("posted %s; want %s", h.last(), tt.posted)
			}
		})
	}
}

func TestSendURLSources(t *testing.T) {
	h, url := newHook(t, 202)
	t.Setenv("OUTHOOK_WEBHOOK_URL", "")
	t.Setenv("OUTHOOK_FOLLOWUP_URL", "")
	code, _, errOut := run(t, "", "send", "hi")
	if code != 1 || !strings.Contains(errOut, "OUTHOOK_WEBHOOK_URL") {
		t.Errorf("no URL: code %d, stderr %q; want a pointer to OUTHOOK_WEBHOOK_URL", code, errOut)
	}
	file := filepath.Join(t.TempDir(), "url")
	os.WriteFile(file, []byte("# the nightly channel\n"+url+"\n"), 0o600)
	if code, out, errOut := run(t, "", "send", "--url-file", file, "from the file"); code != 0 {
		t.Errorf("--url-file: code %d, out %q, err %q", code, out, errOut)
	}
	if !strings.Contains(h.last(), "from the file") {
		t.Errorf("posted %s; want the text", h.last())
	}
	t.Setenv("OUTHOOK_WEBHOOK_URL", "http://example.com/x?sig=TOPSECRETSIG")
	code, _, errOut = run(t, "", "send", "hi")
	if code != 1 || !strings.Contains(errOut, "must use https") || strings.Contains(errOut, "TOPSECRETSIG") {
		t.Errorf("plain http: code %d, stderr %q; want a refusal without the secret", code, errOut)
	}
}

func TestServeWithFollowUps(t *testing.T) {
	_, url := newHook(t, 202)
	t.Setenv("OUTHOOK_FOLLOWUP_URL", url)
	t.Setenv("OUTHOOK_SECRET", "")
	file := filepath.Join(t.TempDir(), "secrets")
	tok := "YT9tnapmcJ3aRMcfBS8Iz6ya226G1U8aoUwbjuWIsMs="
	os.WriteFile(file, []byte(tok+"\n"), 0o600)
	s := &ServeCmd{Listen: "127.0.0.1:0", SecretFile: file, Grace: time.Second, DataDir: t.TempDir(),
		BotFlags: BotFlags{Path: "/hook", Budget: time.Second, BodyLimit: 1 << 20, JobTimeout: time.Minute}}
	var logs bottest.LogBuffer
	g := &Globals{LogFormat: "json", LogLevel: "info", stderr: &logs}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.run(ctx, g, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", "say", "--url", "http://"+addr+"/hook", "--secret", tok, "jobs")
	if code != 0 || !strings.Contains(out, "You have no background jobs running.") {
		t.Errorf("jobs: code %d, out %q, err %q; want jobs on", code, out, errOut)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l := logs.String()
	if !strings.Contains(l, "results that miss the budget are posted later") || strings.Contains(l, "TOPSECRETSIG") {
		t.Errorf("logs should announce follow-ups without the URL:\n%s", l)
	}
}
