package bottest_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/router"
)

// -update is read by bottest.Golden through the flag package.
var _ = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMessageFields(t *testing.T) {
	amp := bot.Account{ID: "29:amp", Name: "Tom & Jerry"}
	grace := bot.Account{ID: "29:grace", Name: "Grace Hopper"}
	tests := []struct {
		name  string
		msg   bottest.Message
		check func(a *bot.Activity) string // "" when fine
	}{
		{"mention in place", bottest.Message{Text: "ask @Grace Hopper now", Mentions: []bot.Account{grace}}, func(a *bot.Activity) string {
			if !strings.Contains(a.Text, "ask <at>Grace Hopper</at> now") {
				return a.Text
			}
			return ""
		}},
		{"mention appended", bottest.Message{Text: "ask", Mentions: []bot.Account{grace}}, func(a *bot.Activity) string {
			if !strings.HasSuffix(a.Text, "ask <at>Grace Hopper</at>\n") {
				return a.Text
			}
			return ""
		}},
		{"ampersand name: escaped, entity without text", bottest.Message{Text: "hi @Tom & Jerry!", Mentions: []bot.Account{amp}}, func(a *bot.Activity) string {
			html, _ := a.HTML()
			if !strings.Contains(html, `hi <span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="1">Tom &amp; Jerry</span>!`) || !strings.Contains(a.Text, "hi <at>Tom &amp; Jerry</at>!") || a.Entities[1].Text != "" || a.Entities[1].Mentioned.Name != "Tom & Jerry" {
				return html
			}
			return ""
		}},
		{"team, channel, thread, locale, platform", bottest.Message{Team: "19:t", Channel: "19:c", Thread: "17", Locale: "de-DE", Platform: "iOS", Timezone: "Asia/Tokyo"},
			func(a *bot.Activity) string {
				ci := a.ClientInfo()
				if a.Team() != "19:t" || a.Channel() != "19:c" || a.Thread() != "17" || a.Locale != "de-DE" || ci.Platform != "iOS" || ci.Timezone != "Asia/Tokyo" {
					return a.Conversation.ID
				}
				return ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Through JSON, as the bot would read it.
			var a bot.Activity
			if err := bot.DecodeActivity(tt.msg.JSON(), &a); err != nil {
				t.Fatal(err)
			}
			if bad := tt.check(&a); bad != "" {
				t.Errorf("got %q; want the message's fields in the activity", bad)
			}
		})
	}
}

func TestServerErrors(t *testing.T) {
	r := router.New()
	r.Add(&router.Command{Name: "stuck", Handler: func(c *router.Context) error {
		time.Sleep(300 * time.Millisecond) // ignores its context
		return c.Text("done")
	}})
	s := bottest.NewServer(bot.Config{Handler: r, Budget: 20 * time.Millisecond})
	defer s.Close()
	s.HandlerWait = 50 * time.Millisecond

	_, err := s.Say("stuck")
	if err == nil || !strings.Contains(err.Error(), "does not honour its context") {
		t.Errorf("got %v; want an error about the handler still running", err)
	}

	_, err = bottest.Post(s.Client(), s.URL, bot.NewToken(), bottest.Message{Text: "stuck"}.JSON())
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("got %v; want 401 for a post signed with another token", err)
	}
	time.Sleep(300 * time.Millisecond) // let the stuck handler end before goleak looks
}

func TestReplyCards(t *testing.T) {
	r, err := bottest.Run(context.Background(), commands(), bottest.Message{Text: "report"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Cards(bottest.AdaptiveCardType)); n != 1 {
		t.Errorf("got %d Adaptive Cards; want 1", n)
	}
	if n := len(r.Cards(bottest.HeroCardType)); n != 0 {
		t.Errorf("got %d hero cards; want 0", n)
	}
	bottest.GoldenReply(t, "testdata/report.golden.json", r.Reply)

	text, err := bottest.Run(context.Background(), commands(), bottest.Message{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := text.Adaptive(); err == nil {
		t.Error("got no error; want one for a reply without a card")
	}
	if _, err := bottest.DecodeAdaptive(bot.Attachment{ContentType: bottest.AdaptiveCardType, Content: []byte(`[1]`)}); err == nil {
		t.Error("got no error; want one for a card that is not an object")
	}
}

func TestUserText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, "reply"},
		{bot.UserError("no such env"), "no such env"},
		{&bot.Error{Message: "denied", Internal: context.Canceled}, "denied"},
		{context.Canceled, ""},
	}
	for _, tt := range tests {
		if got := bottest.UserText(bottest.Reply{Reply: bot.Text("reply")}, tt.err); got != tt.want {
			t.Errorf("UserText(%v) = %q; want %q", tt.err, got, tt.want)
		}
	}
}

func TestFollowUpsTimeout(t *testing.T) {
	if _, err := bottest.NewFollowUps().Next(10 * time.Millisecond); err == nil {
		t.Error("got a follow-up; want an error when none is posted")
	}
}
