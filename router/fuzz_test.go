package router_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

// FuzzMessage drives the whole path, normalise → split → parse → handler,
// with arbitrary text and HTML. It must never panic, and every outcome must
// be a reply or an error the user can read.
func FuzzMessage(f *testing.F) {
	f.Add("<at>Ops Bot</at>&nbsp;deploy run web --reason “fix #1”", "")
	f.Add("<at>Ops Bot</at> assign <at>Ana Lima</at> docs", `<div><span itemscope itemtype="http://schema.skype.com/Mention" itemid="0">Ops Bot</span> assign <span itemscope itemtype="http://schema.skype.com/Mention" itemid="1">Ana Lima</span></div>`)
	f.Add(`<at>Ops Bot</at> echo "unclosed`, "")
	f.Add("<at>Ops Bot</at> note ```\ncode\n```", "<pre><code>x &lt; y</code></pre>")
	f.Add("<at><at>Ops Bot</at></at> deploy —reason -fr x -- --", "<span itemtype=Mention itemid=99>")
	r := newRouter()
	f.Fuzz(func(t *testing.T, text, html string) {
		a := activity("", ana)
		a.Text = text
		if html != "" {
			a.Attachments = []bot.Attachment{{ContentType: "text/html", Content: []byte(quoteJSON(html))}}
		}
		c := bot.NewContext(context.Background(), a)
		err := r.Handle(c)
		if err != nil {
			var be *bot.Error
			if !errors.As(err, &be) || be.Message == "" {
				t.Fatalf("got error %v without a message for the user", err)
			}
			return
		}
		if _, ok := c.Replied(); !ok {
			t.Fatal("no reply")
		}
	})
}

// quoteJSON encodes s as a JSON string.
func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\ufffd") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzSplit checks Split against its own promises: it never panics, a
// line without quotes or backslashes splits at spaces, and the words of a
// line come back from their joined, quoted form.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "a b", `"a b" c`, "don't 'x y'", `C:\temp "\"q\""`, "#1 C#", `'`, `"`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := router.Split(line)
		if err != nil {
			if !errors.Is(err, router.ErrUnbalancedQuotes) {
				t.Fatalf("got %v; want only quote errors", err)
			}
			return
		}
		if !strings.ContainsAny(line, "\"'\\\ue000\ue001\ue002") {
			if got, want := strings.Join(words, " "), strings.Join(strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(" \t\r\n", r) }), " "); got != want {
				t.Fatalf("got %q; want %q", got, want)
			}
		}
		if !utf8.ValidString(line) {
			return
		}
		// Quote each word and split again: the same words come back.
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
		}
		again, err := router.Split(strings.Join(quoted, " "))
		if err != nil {
			t.Fatalf("re-splitting %q: %v", quoted, err)
		}
		if strings.Join(again, "\x00") != strings.Join(words, "\x00") {
			t.Fatalf("got %q; want %q", again, words)
		}
	})
}
