package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

func TestEmbed(t *testing.T) {
	token := bot.NewToken()
	e, err := newApp(token)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(data), "fine") {
		t.Errorf("own route: got %q; want the service's status", data)
	}

	r, err := bottest.Post(srv.Client(), srv.URL+"/teams/webhook", token, bottest.Message{Text: "ping"}.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Text, "pong") {
		t.Errorf("bot route: got %q; want pong", r.Text)
	}
}

func TestEmbedRefusesBadToken(t *testing.T) {
	if _, err := newApp(""); err == nil {
		t.Error("newApp with no token succeeded")
	}
}
