package router

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/outhook/outhook/bot"
)

func TestBotLine(t *testing.T) {
	one := []bot.Entity{botMention}
	tests := []struct {
		name string
		text string
		ents []bot.Entity
		want string
		ok   bool
	}{
		{name: "ping", text: "<at>Ops Bot</at> ping", ents: one, want: "ping", ok: true},
		{name: "nbsp and trailing newline", text: "<at>Ops Bot</at>&nbsp;deploy web --env eu\n", ents: one, want: "deploy web --env eu", ok: true},
		{name: "several nbsp, tabs", text: "<at>Bot</at>&nbsp; \t&nbsp;x\ty", ents: one, want: "x\ty", ok: true},
		{name: "no entity: first tag is the bot", text: "<at>Whoever</at> ping", want: "ping", ok: true},
		{name: "person's entity only: still the bot", text: "<at>Ana</at> ping", ents: []bot.Entity{mention(anaID, "Ana", "<at>Ana</at>")}, want: "ping", ok: true},
		{name: "empty after mention", text: "<at>Ops Bot</at>&nbsp;", ents: one, want: "", ok: true},
		{name: "non-ASCII kept", text: "<at>Ops Bot</at> grüße 😀 ok", ents: one, want: "grüße 😀 ok", ok: true},
		{name: "escaped name", text: "<at>R&amp;D Bot</at> ping", ents: one, want: "ping", ok: true},
		{name: "no mention first", text: "ping <at>Ops Bot</at>", ents: one},
		{name: "upper-case tag", text: "<AT>Ops Bot</AT> ping", ents: one},
		{name: "second mention", text: "<at>Ops Bot</at> assign <at>Ana</at>", ents: one},
		{name: "two entities", text: "<at>Ops Bot</at> ping", ents: []bot.Entity{botMention, mention(anaID, "Ana", "<at>Ana</at>")}},
		{name: "entity in text", text: "<at>Ops Bot</at> a &amp; b", ents: one},
		{name: "broken nbsp", text: "<at>Ops Bot</at>&nbspx", ents: one},
		{name: "curly quotes", text: "<at>Ops Bot</at> say “hi”", ents: one},
		{name: "unicode space", text: "<at>Ops Bot</at> a\u2003b", ents: one},
		{name: "zero-width", text: "<at>Ops Bot</at> a\u200bb", ents: one},
		{name: "carriage return", text: "<at>Ops Bot</at> a\r\nb", ents: one},
		{name: "vertical tab", text: "<at>Ops Bot</at> a\vb", ents: one},
		{name: "invalid UTF-8", text: "<at>Ops Bot</at> a\xffb", ents: one},
		{name: "unclosed mention", text: "<at>Ops Bot ping", ents: one},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &bot.Activity{Text: tt.text, Entities: tt.ents}
			in, ok := botLine(a)
			if ok != tt.ok {
				t.Fatalf("got ok %v; want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if in.Line != tt.want || in.Source != SourceText || in.Mentions != nil {
				t.Errorf("got %+v; want line %q from text, no mentions", in, tt.want)
			}
			if slow, _ := normalizeMarkup(a, a.Text, SourceText); !reflect.DeepEqual(in, slow) {
				t.Errorf("got %+v; the slow path gives %+v", in, slow)
			}
		})
	}
}

// TestBotLineAllocs holds the fast path to no allocation on the bench's
// payload, and checks that Normalize takes it there.
func TestBotLineAllocs(t *testing.T) {
	a := loadActivity(t, "bench-payload.json")
	if _, ok := botLine(a); !ok {
		t.Fatal("the bench payload misses the fast path")
	}
	if n := testing.AllocsPerRun(100, func() { Normalize(a) }); n != 0 {
		t.Errorf("got %v allocations per Normalize; want 0", n)
	}
}

// FuzzNormalizeFastPath checks the fast path against the slow one: for any
// text and mention entities the fast path accepts, its Input must equal
// normalizeMarkup's on Activity.Text.
func FuzzNormalizeFastPath(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		a := loadActivity(f, filepath.Base(name))
		ents, _ := json.Marshal(a.Entities)
		f.Add(a.Text, string(ents))
	}
	one, _ := json.Marshal([]bot.Entity{botMention})
	for _, s := range []string{
		"<at>Ops Bot</at>&nbsp;ping\n", "<at>Bot</at> &nbsp;\tx y\n\n", "<at>Bot</at>\u00a0x", "<at>x&amp;</at>a\u2003",
		"<at>Bot</at> a\x01b\x7f", "<at>Bot</at> \u0085x", "<at>Bot</at> x\U000F0000", "<at>Bot</at>",
	} {
		f.Add(s, string(one))
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, text, entities string) {
		a := &bot.Activity{Text: text}
		if entities != "" {
			if err := json.Unmarshal([]byte(entities), &a.Entities); err != nil {
				a.Entities = nil
			}
		}
		fast, ok := botLine(a)
		if !ok {
			return
		}
		slow, _ := normalizeMarkup(a, a.Text, SourceText)
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("text %q: fast path %+v; slow path %+v", text, fast, slow)
		}
	})
}
