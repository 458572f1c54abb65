package incoming_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
// local incoming webhook exactly once, through a 429 and a 500, addressed
// to the asker and quoting the command.
func TestFollowUpEndToEnd(t *testing.T) {
	rc := newReceiver(t, "429 0", "500", "202")
	s := newSender(t, rc.url, incoming.Config{})
	token := bot.NewToken()
	b, err := bot.New(bot.Config{
		Secrets:   []string{token},
		Budget:    50 * time.Millisecond,
		FollowUps: s,
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			c.SetCommand("deploy")
			time.Sleep(100 * time.Millisecond)
			return c.Text("deployed to prod")
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
		t.Fatalf("got %d requests; want 3 (429, 500, then 202)", n)
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
					Entities []struct {
						Mentioned bot.Account `json:"mentioned"`
					} `json:"entities"`
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
	if got := card.Body[2].Text; got != "deployed to prod" {
		t.Errorf("got %q; want the result", got)
	}
	if got := card.MSTeams.Entities[0].Mentioned.ID; got != msg.Activity().From.AADObjectID {
		t.Errorf("got mention id %q; want the asker's AAD object id", got)
	}

	// Teams delivers the same activity again: the result is not posted twice.
	if _, err := bottest.Post(http.DefaultClient, ts.URL+"/webhook", token, msg.JSON()); err == nil {
		time.Sleep(150 * time.Millisecond)
	}
	if n := rc.count(); n != 3 {
		t.Errorf("got %d requests after a duplicate delivery; want still 3", n)
	}
}
