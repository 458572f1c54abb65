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

func TestDevServesBotAndConsole(t *testing.T) {
	cli := parse(t, "dev", "--as", "Grace Hopper", "--as-id", "grace-aad", "--budget", "1s", "--plugins", "ping,whoami")
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
	client := &http.Client{Timeout: 5 * time.Second}
	send := func(text string) (status int, reply string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"text": text})
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
	if status, reply := send("ping"); status != http.StatusOK || !strings.Contains(reply, "pong") {
		t.Errorf("got %d %s; want 200 and pong", status, reply)
	}
	if _, reply := send("whoami"); !strings.Contains(reply, "Grace Hopper") || !strings.Contains(reply, "grace-aad") {
		t.Errorf("got %s; want the asker from --as and --as-id", reply)
	}
	resp, err := client.Get(url)
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
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("got %v; want a clean stop", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("dev did not stop")
	}
}
