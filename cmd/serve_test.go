package cmd

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/config"
)

// parse parses args as the CLI would and returns the grammar, without
// running the command.
func parse(t testing.TB, args ...string) *CLI {
	t.Helper()
	var out bytes.Buffer
	cli := &CLI{Globals: Globals{stdin: strings.NewReader(""), stdout: &out, stderr: &out}}
	parser, err := kong.New(cli, kong.Name("outhook"), kong.Exit(func(int) { t.Fatalf("kong exited: %s", out.String()) }),
		kong.Writers(&out, &out))
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		t.Fatalf("parsing %q: %v", args, err)
	}
	cli.explicit = explicitFlags(kctx)
	return cli
}

// writeFile writes content to name in a temporary directory and returns
// its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "outhook.yaml", `
listen: "127.0.0.1:7000"
grace: 7s
log: {level: warn}
metrics: {path: /file-metrics}
defaults: {budget: 3s, plugins: [ping]}
webhooks:
  - name: ops
    path: /file-path
    budget: 2s
    followup: {url_env: OPS_FOLLOWUP_URL, workers: 2}
`)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		get  func(c config.Config) any
		want any
	}{
		{"default without file", nil, nil, func(c config.Config) any { return c.Listen }, ":8080"},
		{"file over default", nil, []string{"--config", file}, func(c config.Config) any { return c.Listen }, "127.0.0.1:7000"},
		{"env over file", map[string]string{"OUTHOOK_LISTEN": "127.0.0.1:7001"}, []string{"--config", file},
			func(c config.Config) any { return c.Listen }, "127.0.0.1:7001"},
		{"flag over env", map[string]string{"OUTHOOK_LISTEN": "127.0.0.1:7001"}, []string{"--config", file, "--listen", "127.0.0.1:7002"},
			func(c config.Config) any { return c.Listen }, "127.0.0.1:7002"},
		{"config file from env", map[string]string{"OUTHOOK_CONFIG": file}, nil, func(c config.Config) any { return c.Grace }, 7 * time.Second},
		{"flag equal to default still wins", nil, []string{"--config", file, "--grace", "10s"},
			func(c config.Config) any { return c.Grace }, 10 * time.Second},
		{"log level from file", nil, []string{"--config", file}, func(c config.Config) any { return c.Log.Level }, "warn"},
		{"log level from env", map[string]string{"OUTHOOK_LOG_LEVEL": "error"}, []string{"--config", file},
			func(c config.Config) any { return c.Log.Level }, "error"},
		{"metrics path from file", nil, []string{"--config", file}, func(c config.Config) any { return c.Metrics.Path }, "/file-metrics"},
		{"webhook budget over file default", nil, []string{"--config", file}, func(c config.Config) any { return c.Webhooks[0].Budget }, 2 * time.Second},
		{"budget flag over webhook", nil, []string{"--config", file, "--budget", "1s"},
			func(c config.Config) any { return c.Webhooks[0].Budget }, time.Second},
		{"budget env over webhook", map[string]string{"OUTHOOK_BUDGET": "1500ms"}, []string{"--config", file},
			func(c config.Config) any { return c.Webhooks[0].Budget }, 1500 * time.Millisecond},
		{"plugins from file defaults", nil, []string{"--config", file}, func(c config.Config) any { return c.Webhooks[0].Plugins }, []string{"ping"}},
		{"plugins from env", map[string]string{"OUTHOOK_PLUGINS": "echo,help"}, []string{"--config", file},
			func(c config.Config) any { return c.Webhooks[0].Plugins }, []string{"echo", "help"}},
		{"path from file", nil, []string{"--config", file}, func(c config.Config) any { return c.Webhooks[0].Path }, "/file-path"},
		{"path flag over file", nil, []string{"--config", file, "--path", "/flag-path"},
			func(c config.Config) any { return c.Webhooks[0].Path }, "/flag-path"},
		{"single webhook token from OUTHOOK_SECRET", nil, []string{"--config", file},
			func(c config.Config) any { return c.Webhooks[0].SecretEnv }, "OUTHOOK_SECRET"},
		{"job workers from file", nil, []string{"--config", file}, func(c config.Config) any { return c.Webhooks[0].FollowUp.Workers }, 2},
		{"job workers flag over file", nil, []string{"--config", file, "--jobs", "8"},
			func(c config.Config) any { return c.Webhooks[0].FollowUp.Workers }, 8},
		{"job queue default", nil, []string{"--config", file}, func(c config.Config) any { return c.Webhooks[0].FollowUp.Queue }, 16},
		{"job queue from env", map[string]string{"OUTHOOK_JOB_QUEUE": "3"}, []string{"--config", file},
			func(c config.Config) any { return c.Webhooks[0].FollowUp.Queue }, 3},
		{"no file: one default webhook", nil, []string{"--path", "/p", "--secret-file", "/s"},
			func(c config.Config) any { return c.Webhooks }, []config.Webhook{{Name: "default", Path: "/p",
				SecretEnv: "OUTHOOK_SECRET", SecretFile: "/s", Budget: 4 * time.Second, BodyLimit: 1 << 20}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"OUTHOOK_LISTEN", "OUTHOOK_CONFIG", "OUTHOOK_LOG_LEVEL", "OUTHOOK_BUDGET", "OUTHOOK_PLUGINS", "OUTHOOK_JOB_QUEUE"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cli := parse(t, append([]string{"serve"}, tt.args...)...)
			c, err := cli.Serve.resolve(&cli.Globals)
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			if got := tt.get(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v; want %#v", got, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	two := writeFile(t, "two.yaml", `
webhooks:
  - {name: a, path: /a, secret_env: A}
  - {name: b, path: /b, secret_env: B}
`)
	bad := writeFile(t, "bad.yaml", "webhooks:\n  - {name: a, path: a}\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"path with several webhooks", []string{"--config", two, "--path", "/x"}, "--path applies to a single webhook"},
		{"secret file with several webhooks", []string{"--config", two, "--secret-file", "/x"}, "--secret-file applies to a single webhook"},
		{"invalid file", []string{"--config", bad}, `bad.yaml:2:21: path "a" must start with /`},
		{"missing file", []string{"--config", bad + ".nope"}, "no such file"},
		{"cert without key", []string{"--tls-cert", "/c.pem"}, "--tls-cert and --tls-key go together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cli := parse(t, append([]string{"serve"}, tt.args...)...)
			_, err := cli.Serve.resolve(&cli.Globals)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

// startServe runs "outhook serve" with args until the test ends and
// returns its base URL and a function that stops it and returns its error.
func startServe(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	return startServeLogs(t, new(bottest.LogBuffer), args...)
}

// startServeLogs is startServe writing the server's log to logs.
func startServeLogs(t *testing.T, logs *bottest.LogBuffer, args ...string) (string, func() error) {
	t.Helper()
	cli := parse(t, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, args...)...)
	cli.Globals.stderr = logs
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- cli.Serve.run(ctx, &cli.Globals, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v", err)
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("serve did not start within 5s")
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop within 10s")
			return nil
		}
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return addr, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestServeSeveralWebhooks(t *testing.T) {
	tokenA, tokenB := bot.NewToken(), bot.NewToken()
	t.Setenv("TEST_TOKEN_A", tokenA)
	secretFile := writeFile(t, "b-tokens", "# b\n"+bot.NewToken()+"\n"+tokenB+"\n")
	file := writeFile(t, "outhook.yaml", `
defaults: {budget: 2s}
webhooks:
  - name: alpha
    path: /teams/alpha
    secret_env: TEST_TOKEN_A
    plugins: [ping, help]
  - name: beta
    path: /teams/beta
    secret_file: `+secretFile+`
    plugins: [echo, help, ping]
    commands: [echo, help]
`)
	addr, _ := startServe(t, "--config", file)
	base := "http://" + addr
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(path, token, text string) (int, string) {
		req, err := bottest.NewRequest(base+path, token, bottest.Message{Text: text}.JSON())
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	tests := []struct {
		name, path, token, text string
		status                  int
		reply                   string
	}{
		{"alpha answers ping", "/teams/alpha", tokenA, "ping", 200, "pong"},
		{"beta answers echo", "/teams/beta", tokenB, "echo hi there", 200, "hi there"},
		{"beta lacks ping: not in its commands", "/teams/beta", tokenB, "ping", 200, "I don't know the command"},
		{"alpha lacks echo: not in its plugins", "/teams/alpha", tokenA, "echo x", 200, "I don't know the command"},
		{"beta help lists only its commands", "/teams/beta", tokenB, "help", 200, `{"title":"echo",`},
		{"alpha token refused on beta", "/teams/beta", tokenA, "echo hi", 401, "signature does not match"},
		{"beta token refused on alpha", "/teams/alpha", tokenB, "ping", 401, "signature does not match"},
		{"unknown path", "/teams/gamma", tokenA, "ping", 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(tt.path, tt.token, tt.text)
			if status != tt.status || !strings.Contains(body, tt.reply) {
				t.Errorf("got %d %s; want %d with %q", status, body, tt.status, tt.reply)
			}
		})
	}
	if _, body := post("/teams/beta", tokenB, "help"); strings.Contains(body, "ping") {
		t.Errorf("got beta help %s; want no ping", body)
	}

	status, body := get(t, base+"/metrics")
	if status != 200 {
		t.Fatalf("got /metrics %d; want 200", status)
	}
	for _, want := range []string{
		`outhook_http_requests_total{code="200",webhook="alpha"} 2`,
		`outhook_http_requests_total{code="401",webhook="beta"} 1`,
		`outhook_signature_failures_total{webhook="alpha"} 1`,
		`outhook_commands_total{command="echo",outcome="ok",webhook="beta"} 1`,
		`outhook_commands_total{command="unknown",outcome="ok",webhook="beta"} 1`,
		`outhook_http_request_duration_seconds_bucket{webhook="alpha",le="4.5"} 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("got /metrics without %q", want)
		}
	}
	for _, secret := range []string{tokenA, tokenB} {
		if strings.Contains(body, secret) {
			t.Error("got /metrics showing a token")
		}
	}
}

func TestServeDefaultWebhook(t *testing.T) {
	token := bot.NewToken()
	t.Setenv("OUTHOOK_SECRET", token)
	addr, _ := startServe(t, "--metrics-path", "off")
	r, err := bottest.Post(&http.Client{Timeout: 5 * time.Second}, "http://"+addr+"/webhook", token, bottest.Message{Text: "ping"}.JSON())
	if err != nil || !strings.HasPrefix(r.Text, "pong") {
		t.Errorf("got %q, %v; want pong", r.Text, err)
	}
	if status, _ := get(t, "http://"+addr+"/metrics"); status != http.StatusNotFound {
		t.Errorf("got /metrics %d with metrics off; want 404", status)
	}
}

func TestServeNoToken(t *testing.T) {
	t.Setenv("OUTHOOK_SECRET", "")
	cli := parse(t, "serve", "--listen", "127.0.0.1:0")
	err := cli.Serve.run(context.Background(), &cli.Globals, nil)
	if err == nil || !strings.Contains(err.Error(), "set OUTHOOK_SECRET") {
		t.Errorf("got %v; want the no-token explanation", err)
	}
	file := writeFile(t, "x.yaml", "webhooks:\n  - {name: ops, path: /ops, secret_env: TEST_UNSET_TOKEN}\n  - {name: dev, path: /dev, secret_env: TEST_UNSET_TOKEN}\n")
	cli = parse(t, "serve", "--listen", "127.0.0.1:0", "--config", file)
	err = cli.Serve.run(context.Background(), &cli.Globals, nil)
	if err == nil || !strings.Contains(err.Error(), `webhook "ops": no security token in $TEST_UNSET_TOKEN`) ||
		!strings.Contains(err.Error(), `webhook "dev": no security token in $TEST_UNSET_TOKEN`) {
		t.Errorf("got %v; want the webhook named", err)
	}
}

func TestReadyz(t *testing.T) {
	token := bot.NewToken()
	t.Setenv("OUTHOOK_SECRET", token)

	// Listening: ready. Stopping with a drain: not ready, still serving.
	addr, stop := startServe(t, "--drain", "3s", "--grace", "1s")
	base := "http://" + addr
	if status, body := get(t, base+"/readyz"); status != 200 || body != "ready" {
		t.Errorf("got %d %q while serving; want 200 ready", status, body)
	}
	if status, _ := get(t, base+"/healthz"); status != 200 {
		t.Errorf("got /healthz %d; want 200", status)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	deadline := time.Now().Add(2 * time.Second)
	for {
		status, _ := get(t, base+"/readyz")
		if status == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got /readyz %d during drain; want 503", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, _ := get(t, base+"/healthz"); status != 200 {
		t.Errorf("got /healthz %d during drain; want 200 (alive)", status)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve: %v", err)
	}
}
