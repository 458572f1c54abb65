package bottest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

func ExampleMessage() {
	a := bottest.Message{Text: "deploy web --reason \"fix #4711 & rollback\"", BotName: "Ops Bot", Thread: "1764330000123"}.Activity()
	fmt.Println(a.Text)
	fmt.Println(a.Thread(), a.Mentions()[0].Name)
	// Output:
	// <at>Ops Bot</at>&nbsp;deploy web --reason "fix #4711 &amp; rollback"
	//
	// 1764330000123 Ops Bot
}

func TestMessageRoundTrip(t *testing.T) {
	body := bottest.Message{Text: "ping"}.JSON()
	var a bot.Activity
	if err := bot.DecodeActivity(body, &a); err != nil {
		t.Fatal(err)
	}
	if a.Type != "message" || a.ChannelID != "msteams" || a.Team() != bottest.DefaultTeam || a.Thread() != a.ID {
		t.Errorf("got %+v; want a Teams-shaped top-level post", a)
	}
	html, ok := a.HTML()
	if !ok || !strings.Contains(html, "itemtype=\"http://schema.skype.com/Mention\"") {
		t.Errorf("html copy %q", html)
	}
	r, err := bottest.NewRequest("http://127.0.0.1/webhook", bot.NewToken(), body)
	if err != nil || !strings.HasPrefix(r.Header.Get("Authorization"), "HMAC ") {
		t.Errorf("request: %v %v", r, err)
	}
}
