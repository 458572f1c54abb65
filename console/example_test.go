package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/console"
)

// A console in front of a bot: what the page posts to SendPath reaches
// the bot signed as Teams signs it, and the answer carries the bot's reply.
func ExampleNew() {
	b := bottest.NewServer(bot.Config{Handler: bot.HandlerFunc(func(c *bot.Context) error { return c.Text("pong") })})
	defer b.Close()
	c, err := console.New(console.Config{BotURL: b.URL, Token: b.Token})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	web := httptest.NewServer(c) // open web.URL in a browser for the page
	defer web.Close()

	resp, err := http.Post(web.URL+console.SendPath, "application/json", strings.NewReader(`{"text":"ping","name":"Grace Hopper"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var res struct {
		Status   int          `json:"status"`
		Reply    bot.Reply    `json:"reply"`
		Activity bot.Activity `json:"activity"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Reply.Text, "for", res.Activity.From.Name)
	// Output:
	// 200 pong for Grace Hopper
}
