package bot_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
)

// TestServerFitsReplies checks, through the real Echo server with a real
// signature, that an oversized reply reaches Teams cut to the limit.
func TestServerFitsReplies(t *testing.T) {
	huge := strings.Repeat("Grüße aus dem Log 🎉\n", 20000) // about 480 KB
	s := newServer(t, bot.HandlerFunc(func(c *bot.Context) error {
		return c.Reply(bot.Text(huge).Mention(c.Activity.From))
	}), nil)
	res := s.signed(t, fixture(t, "channel-ping.json"))
	if res.status != 200 {
		t.Fatalf("status = %d; want 200", res.status)
	}
	if len(res.body) > bot.MaxReplySize {
		t.Errorf("reply is %d bytes; want at most %d", len(res.body), bot.MaxReplySize)
	}
	if !strings.Contains(res.reply.Text, "Cut here") || !utf8.ValidString(res.reply.Text) {
		t.Errorf("reply lacks the cut note or is not UTF-8: …%q", tail(res.reply.Text))
	}
	if len(res.reply.Entities) != 0 {
		t.Errorf("mention entity kept although its tag was cut off: %+v", res.reply.Entities)
	}
}
