package router_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

// benchMessage runs one decoded activity through the router per op.
func benchMessage(b *testing.B, r *router.Router, a *bot.Activity) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c := bot.NewContext(ctx, a)
		_ = r.Handle(c)
		if _, ok := c.Replied(); !ok && a.Text != "" {
			// Errors are fine for hostile input; a reply or an error is.
		}
	}
}

// BenchmarkMessagePing is the router's cost for "@Bot ping" as Teams sends
// it (channel-ping.json, read from the text/html attachment).
func BenchmarkMessagePing(b *testing.B) { benchMessage(b, newRouter(), load(b, "channel-ping.json")) }

// BenchmarkMessagePingText is the same from Activity.Text alone.
func BenchmarkMessagePingText(b *testing.B) {
	a := load(b, "channel-ping.json")
	a.Attachments = nil
	benchMessage(b, newRouter(), a)
}

// BenchmarkMessageDeploy is a typed command with quotes, flags, defaults
// and a mention (thread-deploy.json).
func BenchmarkMessageDeploy(b *testing.B) {
	a := load(b, "thread-deploy.json")
	a.Attachments = nil
	a.Text = strings.Replace(a.Text, "deploy web", "deploy run web", 1)
	a.Text = strings.Replace(a.Text, "<at>Ana Lima</at>", "--notify <at>Ana Lima</at>", 1)
	benchMessage(b, newRouter(), a)
}

// BenchmarkMessageUnknown is a mistyped command answered with "did you
// mean".
func BenchmarkMessageUnknown(b *testing.B) { benchMessage(b, newRouter(), activity("deplyo run")) }

// BenchmarkBaselineDecode is encoding/json decoding the ping activity: the
// scale against which the router's cost per message reads.
func BenchmarkBaselineDecode(b *testing.B) {
	data, err := os.ReadFile("testdata/channel-ping.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var a bot.Activity
		if err := json.Unmarshal(data, &a); err != nil {
			b.Fatal(err)
		}
	}
}

// hostile returns activities built to be slow: n bytes of quotes, of
// nested tags, of one word.
func hostile(n int) map[string]*bot.Activity {
	nested := strings.Repeat("<div><at>", n/9) + "ping" + strings.Repeat("</at></div>", n/11)
	return map[string]*bot.Activity{
		"quotes":      activity("echo " + strings.Repeat(`"'`, n/2)),
		"quotes-raw":  activity("note " + strings.Repeat(`“`, n/3)),
		"nested-text": {Text: nested},
		"nested-html": {Text: "x", Attachments: []bot.Attachment{{ContentType: "text/html", Content: []byte(quoteJSON(nested))}}},
		"unclosed":    activity("echo " + strings.Repeat("<a ", n/3)),
		"word":        activity(strings.Repeat("x", n)),
		"flags":       activity("deploy run web " + strings.Repeat("-f ", n/3)),
		"mentions":    activity("echo "+strings.Repeat("<at>Ana Lima</at>", n/17), ana),
	}
}

// BenchmarkHostile runs hostile messages at 7 KB and 28 KB: the time per
// op should grow about fourfold, never sixteenfold.
func BenchmarkHostile(b *testing.B) {
	r := newRouter()
	for _, size := range []int{7 << 10, 28 << 10} {
		for name, a := range hostile(size) {
			b.Run(name+"/"+strings.TrimSuffix(strings.TrimSuffix(string(rune('0'+size>>10/7)), ""), "")+"x7KB", func(b *testing.B) {
				b.SetBytes(int64(size))
				benchMessage(b, r, a)
			})
		}
	}
}

// TestHostile runs each hostile message once, as a plain test, so that a
// regression into something slow shows up as a slow test run.
func TestHostile(t *testing.T) {
	r := newRouter()
	for name, a := range hostile(28 << 10) {
		t.Run(name, func(t *testing.T) {
			c := bot.NewContext(context.Background(), a)
			if err := r.Handle(c); err != nil && !router.IsUsageError(err) {
				t.Fatalf("got %v; want a reply or a usage error", err)
			}
		})
	}
}

// BenchmarkNormalize is the normalisation step alone, per source.
func BenchmarkNormalize(b *testing.B) {
	a := load(b, "channel-ping.json")
	b.Run("html", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			router.Normalize(a)
		}
	})
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			router.NormalizeText(a)
		}
	})
	b.Run("attachment-decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a.HTML()
		}
	})
}
