package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot/bottest"
)

// startDev runs "outhook dev" with args until the test ends; it returns
// the console's URL and what dev printed.
func startDev(t *testing.T, args ...string) (string, *bytes.Buffer) {
	t.Helper()
	cli := parse(t, append([]string{"dev"}, args...)...)
	var out bytes.Buffer
	cli.stdout = &out
	cli.stderr = &bottest.LogBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- cli.Dev.run(ctx, &cli.Globals, ready) }()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("dev stopped: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("dev did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("got %v; want a clean stop", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("dev did not stop")
		}
	})
	return url, &out
}

// devSend posts text to the console's SendPath as aad (the page's default
// asker when empty) and returns the bot's status and reply.
func devSend(t *testing.T, url, text, aad string) (status int, reply string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	req := map[string]string{"text": text}
	if aad != "" {
		req["aadObjectId"], req["name"] = aad, "Tester"
	}
	body, _ := json.Marshal(req)
	resp, err := client.Post(url+"api/send", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Status int             `json:"status"`
		Reply  json.RawMessage `json:"reply"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	return res.Status, string(res.Reply)
}

func TestDevServesBotAndConsole(t *testing.T) {
	url, out := startDev(t, "--as", "Grace Hopper", "--as-id", "grace-aad", "--budget", "1s", "--plugins", "ping,whoami")
	send := func(text string) (int, string) { return devSend(t, url, text, "") }
	if status, reply := send("ping"); status != http.StatusOK || !strings.Contains(reply, "pong") {
		t.Errorf("got %d %s; want 200 and pong", status, reply)
	}
	if _, reply := send("whoami"); !strings.Contains(reply, "Grace Hopper") || !strings.Contains(reply, "grace-aad") {
		t.Errorf("got %s; want the asker from --as and --as-id", reply)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got the page %d; want 200", resp.StatusCode)
	}
	if !strings.Contains(out.String(), "the console is at "+url) {
		t.Errorf("got %q; want the console's URL printed", out.String())
	}
}

// TestDevWithConfig: the file's webhooks are served with their access
// rules, and the console talks to the one --webhook names.
func TestDevWithConfig(t *testing.T) {
	file := writeFile(t, "outhook.yaml", `
webhooks:
  - name: alpha
    path: /teams/alpha
    secret_env: NOT_SET_IN_DEV
    plugins: [echo]
  - name: beta
    path: /teams/beta
    secret_file: /nonexistent/tokens
    plugins: [ping, help]
    access:
      default: allow
      rules:
        - {command: ping, effect: allow, users: [alice-aad]}
`)
	url, out := startDev(t, "--config", file, "--webhook", "beta")
	if !strings.Contains(out.String(), "/teams/beta with a fresh token") {
		t.Errorf("got %q; want the beta webhook served", out.String())
	}
	if _, reply := devSend(t, url, "ping", "bob-aad"); !strings.Contains(reply, "Sorry, you may not run `ping` here.") {
		t.Errorf("got %s for bob; want the denial", reply)
	}
	if _, reply := devSend(t, url, "ping", "alice-aad"); !strings.Contains(reply, "pong") {
		t.Errorf("got %s for alice; want pong", reply)
	}
}
