package cmd

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/card"
	_ "github.com/outhook/outhook/plugins/standard"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(floodEnv); addr != "" {
		floodHelper(addr) // BenchmarkUnsignedFlood's flooding process
		return
	}
	if addr := os.Getenv(baselineEnv); addr != "" {
		baselineHelper(addr) // BenchmarkPacedLatency's baseline
		return
	}
	if addr := os.Getenv(pacedClientEnv); addr != "" {
		pacedClient(addr) // BenchmarkPacedLatency's client
		return
	}
	// serve keeps its data file under $OUTHOOK_DATA_DIR: never in the
	// source tree.
	dir, err := os.MkdirTemp("", "outhook-cmd-data-")
	if err != nil {
		panic(err)
	}
	os.Setenv("OUTHOOK_DATA_DIR", dir)
	defer os.RemoveAll(dir)
	goleak.VerifyTestMain(m)
}

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelp(t *testing.T) {
	code, out, _ := run(t, "", "--help")
	if code != 0 || !strings.Contains(out, "serve") || !strings.Contains(out, "chat") {
		t.Errorf("--help: code %d, output %q", code, out)
	}
	code, _, errOut := run(t, "", "nonsense")
	if code != 2 || !strings.Contains(errOut, "unexpected argument") {
		t.Errorf("bad command: code %d, stderr %q", code, errOut)
	}
}

func TestServeNeedsToken(t *testing.T) {
	t.Setenv("OUTHOOK_SECRET", "")
	code, _, errOut := run(t, "", "serve", "--listen", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "OUTHOOK_SECRET") || !strings.Contains(errOut, "--secret-file") {
		t.Errorf("code %d, stderr %q; want a pointer to OUTHOOK_SECRET and --secret-file", code, errOut)
	}
	t.Setenv("OUTHOOK_SECRET", "not-base64!")
	code, _, errOut = run(t, "", "serve", "--listen", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "not valid base64") || strings.Contains(errOut, "not-base64!") {
		t.Errorf("code %d, stderr %q; want a clear error that does not echo the token", code, errOut)
	}
}

func TestServeSayAndShutdown(t *testing.T) {
	tok1, tok2 := bot.NewToken(), bot.NewToken()
	t.Setenv("OUTHOOK_SECRET", tok1)
	file := filepath.Join(t.TempDir(), "secrets")
	if err := os.WriteFile(file, []byte("# rotated in\n"+tok2+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &ServeCmd{Listen: "127.0.0.1:0", SecretFile: file, Grace: time.Second,
		BotFlags: BotFlags{Path: "/hook", Budget: 2 * time.Second, BodyLimit: 1 << 20}}
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

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	url := "http://" + addr + "/hook"
	for _, tok := range []string{tok1, tok2} {
		code, out, errOut := run(t, "", "say", "--url", url, "--secret", tok, "--as", "Grace Hopper", "echo", "hi", "there")
		if code != 0 || strings.TrimSpace(out) != "hi there" {
			t.Errorf("say: code %d, out %q, err %q", code, out, errOut)
		}
	}
	code, _, errOut := run(t, "", "say", "--url", url, "--secret", bot.NewToken(), "ping")
	if code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("say with a wrong token: code %d, err %q; want the 401", code, errOut)
	}
	code, out, _ := run(t, "", "say", "--url", url, "--secret", tok1, "--json", "ping")
	if code != 0 || !strings.Contains(out, `"type": "message"`) {
		t.Errorf("say --json: code %d, out %q", code, out)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l := logs.String()
	for _, secret := range []string{tok1, tok2} {
		if strings.Contains(l, secret) {
			t.Error("logs contain a token")
		}
	}
	for _, want := range []string{`"message":"serving outgoing webhook"`, `"tokens":2`, `"command":"echo"`, `"status":401`, `"message":"stopped"`} {
		if !strings.Contains(l, want) {
			t.Errorf("logs lack %s:\n%s", want, l)
		}
	}
}

func TestChat(t *testing.T) {
	code, out, errOut := run(t, "ping\n\necho “hello   world” #42\nwhoami\nnope\nexit\nping\n", "chat", "--as", "Zoë Müller")
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"listening on http://127.0.0.1:", "> pong (", "> hello   world #42", "Zoë Müller", "`nope`"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "pong") != 1 {
		t.Errorf("chat went on after exit:\n%s", out)
	}
}

func TestSayNeedsToken(t *testing.T) {
	t.Setenv("OUTHOOK_SECRET", "")
	code, _, errOut := run(t, "", "say", "ping")
	if code != 1 || !strings.Contains(errOut, "--secret") {
		t.Errorf("code %d, stderr %q", code, errOut)
	}
}

func TestRenderReply(t *testing.T) {
	r, err := card.Reply("hi", card.Hero("Build #42").Link("Logs", "https://ci.example.com/42"))
	if err != nil {
		t.Fatal(err)
	}
	got := card.Render(r)
	for _, want := range []string{"hi", "[Hero card]", "Build #42", "→ Logs <https://ci.example.com/42>"} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered reply lacks %q:\n%s", want, got)
		}
	}
}
