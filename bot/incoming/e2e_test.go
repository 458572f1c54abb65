package incoming_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/incoming"
)

// TestFollowUpEndToEnd: a signed post to a real bot whose handler misses
// its budget gets the timeout notice in time, and its result reaches the
// local incoming webhook exactly once, through a 429 and a 503 with Retry-After, addressed
// to the asker and quoting the command, with the result's own mentions as
// real mentions (the asker once, though mentioned twice).
func TestFollowUpEndToEnd(t *testing.T) {
	rc := newReceiver(t, "429 0", "503 0", "202")
	grace := bot.Account{ID: "29:1grace", Name: "Hopper, Grace <R&D>"}
	s := newSender(t, rc.url, incoming.Config{})
	token := bot.NewToken()
	b, err := bot.New(bot.Config{
		Secrets:   []string{token},
		Budget:    50 * time.Millisecond,
		FollowUps: s,
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			c.SetCommand("deploy")
			time.Sleep(100 * time.Millisecond)
			return c.Reply(bot.Text("deployed to prod; thanks").Mention(c.Activity.From, grace))
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	ts := httptest.NewServer(e)
	defer ts.Close()

	msg := bottest.Message{Text: "deploy prod"}
	r, err := bottest.Post(http.DefaultClient, ts.URL+"/webhook", token, msg.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "I'll post the result") {
		t.Errorf("got %q; want the follow-up notice", r.Text)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if n := rc.count(); n != 3 {
		t.Fatalf("got %d requests; want 3 (429, 503, then 202)", n)
	}
	var posted struct {
		Attachments []struct {
			Content struct {
				Body []struct {
					Text  string `json:"text"`
					Items []struct {
						Text string `json:"text"`
					} `json:"items"`
				} `json:"body"`
				MSTeams struct {
					Entities []bot.Entity `json:"entities"`
				} `json:"msteams"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(rc.body(2), &posted); err != nil {
		t.Fatal(err)
	}
	card := posted.Attachments[0].Content
	if got := card.Body[0].Text; got != "<at>Ada Lovelace</at> asked:" {
		t.Errorf("got %q; want the asker mentioned", got)
	}
	if got := card.Body[1].Items[0].Text; got != "deploy prod" {
		t.Errorf("got %q; want the command quoted", got)
	}
	const result = "deployed to prod; thanks <at>Ada Lovelace</at> <at>Hopper, Grace &lt;R&amp;D&gt;</at>"
	if got := card.Body[2].Text; got != result {
		t.Errorf("got %q; want %q", got, result)
	}
	want := []bot.Entity{
		{Type: "mention", Text: "<at>Ada Lovelace</at>",
			Mentioned: &bot.Account{ID: msg.Activity().From.AADObjectID, Name: "Ada Lovelace"}},
		{Type: "mention", Text: "<at>Hopper, Grace &lt;R&amp;D&gt;</at>",
			Mentioned: &bot.Account{ID: grace.ID, Name: grace.Name}},
	}
	if got := card.MSTeams.Entities; !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Errorf("got entities %s; want %s", gb, wb)
	}

	// Teams delivers the same activity again: the result is not posted twice.
	if _, err := bottest.Post(http.DefaultClient, ts.URL+"/webhook", token, msg.JSON()); err == nil {
		time.Sleep(150 * time.Millisecond)
	}
	if n := rc.count(); n != 3 {
		t.Errorf("got %d requests after a duplicate delivery; want still 3", n)
	}
}
