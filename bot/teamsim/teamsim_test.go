package teamsim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/teamsim"
)

func ExampleMessage() {
	a := teamsim.Message{Text: "deploy web --reason \"fix #4711 & rollback\"", BotName: "Ops Bot", Thread: "1764330000123"}.Activity()
	fmt.Println(a.Text)
	fmt.Println(a.Thread(), a.Mentions()[0].Name)
	// Output:
	// <at>Ops Bot</at>&nbsp;deploy web --reason "fix #4711 &amp; rollback"
	//
	// 1764330000123 Ops Bot
}

// Post talks to a bot as Teams does: here one served on loopback, answering
// with the command it was given.
func ExamplePost() {
	srv := bottest.NewServer(bot.Config{Handler: bot.HandlerFunc(func(c *bot.Context) error {
		return c.Reply(bot.Text("you said: " + c.Activity.Text))
	})})
	defer srv.Close()

	body := teamsim.Message{Text: "ping", BotName: "Ops Bot"}.JSON()
	r, err := teamsim.Post(srv.Client(), srv.URL, srv.Token, body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Text)
	// Output:
	// you said: <at>Ops Bot</at>&nbsp;ping
}

func TestMessageRoundTrip(t *testing.T) {
	body := teamsim.Message{Text: "ping"}.JSON()
	var a bot.Activity
	if err := bot.DecodeActivity(body, &a); err != nil {
		t.Fatal(err)
	}
	if a.Type != "message" || a.ChannelID != "msteams" || a.Team() != teamsim.DefaultTeam || a.Thread() != a.ID {
		t.Errorf("got %+v; want a Teams-shaped top-level post", a)
	}
	html, ok := a.HTML()
	if !ok || !strings.Contains(html, "itemtype=\"http://schema.skype.com/Mention\"") {
		t.Errorf("html copy %q", html)
	}
	r, err := teamsim.NewRequest("http://127.0.0.1/webhook", bot.NewToken(), body)
	if err != nil || !strings.HasPrefix(r.Header.Get("Authorization"), "HMAC ") {
		t.Errorf("request: %v %v", r, err)
	}
}

func TestPostWrongToken(t *testing.T) {
	srv := bottest.NewServer(bot.Config{Handler: bot.HandlerFunc(func(*bot.Context) error { return nil })})
	defer srv.Close()
	_, err := teamsim.Post(srv.Client(), srv.URL, bot.NewToken(), teamsim.Message{Text: "ping"}.JSON())
	if err == nil || !strings.Contains(err.Error(), http.StatusText(http.StatusUnauthorized)) {
		t.Errorf("got %v; want the bot's 401 as an error", err)
	}
}
