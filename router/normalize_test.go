package router

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/outhook/outhook/bot"
)

// loadActivity decodes a fixture from testdata.
func loadActivity(t testing.TB, name string) *bot.Activity {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	a := new(bot.Activity)
	if err := bot.DecodeActivity(data, a); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	return a
}

// htmlAttachment returns the text/html attachment Teams sends for h.
func htmlAttachment(h string) []bot.Attachment {
	content, _ := json.Marshal(h)
	return []bot.Attachment{{ContentType: "text/html", Content: content}}
}

func mention(id, name, text string) bot.Entity {
	return bot.Entity{Type: "mention", Mentioned: &bot.Account{ID: id, Name: name}, Text: text}
}

const (
	botID = "28:9c1e7a2b-5d4f-4a3e-8b6c-0d1e2f3a4b5c"
	anaID = "29:1Ana"
	boID  = "29:1Bo"
)

var botMention = mention(botID, "Ops Bot", "<at>Ops Bot</at>")

func TestNormalize(t *testing.T) {
	tests := []struct {
		name     string
		a        *bot.Activity
		want     string // Input.Text()
		source   string
		mentions []Person
	}{
		{
			name: "fixture channel-ping (web, top-level post)",
			a:    loadActivity(t, "channel-ping.json"), want: "ping", source: SourceText,
		},
		{
			name: "fixture docs-example (desktop, old shape, names differ from entities)",
			a:    loadActivity(t, "docs-example.json"), want: "Hello Larry Brown", source: SourceText,
			mentions: []Person{{Name: "Larry Brown", ID: "29:1jnFbZYs0qXMLH-O4S9-sDLNc3NVEIMWMnC-q0tVdEa-8BRosfojI35QdNoB-yW8iutWLJzHUm_mqEZSSU8si0Q"}},
		},
		{
			name:     "fixture thread-deploy (iOS, reply in thread, curly quotes, nbsp, &amp;, #)",
			a:        loadActivity(t, "thread-deploy.json"),
			want:     `deploy web "staging eu" --reason "fix #4711 & rollback" Ana Lima`,
			source:   SourceText,
			mentions: []Person{{Name: "Ana Lima", ID: "29:1Ana-LimaXq0bDRvq0v7Pi3Uq1J2kXqR8n6aYl2XwKc3e9HfLZm1u8Hx7pQ4vE0bJ5tW9yR2sN6gD3kA1fC"}},
		},
		{
			name: "text only, no attachment",
			a:    &bot.Activity{Text: "<at>Ops Bot</at>&nbsp;ping\n", Entities: []bot.Entity{botMention}},
			want: "ping", source: SourceText,
		},
		{
			name: "no mention entity at all: first <at> is the bot",
			a:    &bot.Activity{Text: "<at>Ops Bot</at> assign <at>Ana Lima</at>"},
			want: "assign Ana Lima", source: SourceText,
			mentions: []Person{{Name: "Ana Lima"}},
		},
		{
			name: "& in the bot's name: entity without text",
			a: &bot.Activity{Text: "<at>R&amp;D Bot</at> ping",
				Entities: []bot.Entity{mention(botID, "R&D Bot", "")}},
			want: "ping", source: SourceText,
		},
		{
			name: "emoji inside the bot's mention",
			a: &bot.Activity{Text: `<at>Ops Bot <img alt="🤖" src="x"></at> ping`,
				Entities: []bot.Entity{mention(botID, "Ops Bot 🤖", "")}},
			want: "ping", source: SourceText,
		},
		{
			name: "tags in any case",
			a:    &bot.Activity{Text: "<AT>ops bot</AT> Ping", Entities: []bot.Entity{botMention}},
			want: "Ping", source: SourceText,
		},
		{
			name: "bot mentioned at the end",
			a: &bot.Activity{Text: "ping <at>Ops Bot</at>",
				Attachments: htmlAttachment(`<div>ping <span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">Ops Bot</span></div>`),
				Entities:    []bot.Entity{botMention}},
			want: "ping", source: SourceHTML,
		},
		{
			name: "person mentioned before the bot",
			a: &bot.Activity{Text: "<at>Ana</at> <at>Ops Bot</at> whois",
				Entities: []bot.Entity{mention(anaID, "Ana Lima", "<at>Ana</at>"), botMention}},
			want: "Ana Lima whois", source: SourceText,
			mentions: []Person{{Name: "Ana Lima", ID: anaID}},
		},
		{
			name: "several mentions, in the attachment by itemid",
			a: &bot.Activity{Text: "<at>Ops Bot</at> pair <at>Ana Lima</at> <at>Bo</at>",
				Attachments: htmlAttachment(`<div><div><span itemscope itemtype="http://schema.skype.com/Mention" itemid="0">Ops Bot</span> pair <span itemscope itemtype="http://schema.skype.com/Mention" itemid="1">Ana Lima</span> <span itemscope itemtype="http://schema.skype.com/Mention" itemid="2">Bo</span></div></div>`),
				Entities:    []bot.Entity{botMention, mention(anaID, "Ana Lima", "<at>Ana Lima</at>"), mention(boID, "Bo Chen", "<at>Bo</at>")}},
			want: "pair Ana Lima Bo Chen", source: SourceHTML,
			mentions: []Person{{Name: "Ana Lima", ID: anaID}, {Name: "Bo Chen", ID: boID}},
		},
		{
			name: "the sender mentions themselves: AAD id from From",
			a: &bot.Activity{Text: "<at>Ops Bot</at> whois <at>Ana Lima</at>",
				From:     bot.Account{ID: anaID, Name: "Ana Lima", AADObjectID: "aad-ana"},
				Entities: []bot.Entity{botMention, mention(anaID, "Ana Lima", "<at>Ana Lima</at>")}},
			want: "whois Ana Lima", source: SourceText,
			mentions: []Person{{Name: "Ana Lima", ID: anaID, AADObjectID: "aad-ana"}},
		},
		{
			name: "angle brackets lost in text, kept in the attachment",
			a: &bot.Activity{Text: "<at>Ops Bot</at> echo  please",
				Attachments: htmlAttachment(`<div><div><span itemscope itemtype="http://schema.skype.com/Mention" itemid="0">Ops Bot</span> echo &lt;data&gt; please</div></div>`),
				Entities:    []bot.Entity{botMention}},
			want: "echo <data> please", source: SourceHTML,
		},
		{
			name: "entities decoded exactly once",
			a: &bot.Activity{Text: "<at>Ops Bot</at> echo &amp;lt; &#39;x&#39; &quot;y&quot; &#x263A;",
				Entities: []bot.Entity{botMention}},
			want: `echo &lt; 'x' "y" ☺`, source: SourceText,
		},
		{
			name: "web client: paragraphs, divs and br become line breaks",
			a: &bot.Activity{Text: "<at>Ops Bot</at> note one\ntwo",
				Attachments: htmlAttachment(`<div><p><span itemscope itemtype="http://schema.skype.com/Mention" itemid="0">Ops Bot</span> note one</p><p>two<br>three</p><div>four</div></div>`),
				Entities:    []bot.Entity{botMention}},
			want: "note one\ntwo\nthree\nfour", source: SourceHTML,
		},
		{
			name: "code block keeps its lines and indentation",
			a: &bot.Activity{Text: "<at>Ops Bot</at> run",
				Attachments: htmlAttachment("<div><span itemscope itemtype=\"http://schema.skype.com/Mention\" itemid=\"0\">Ops Bot</span> run</div><pre class=\"language-go\"><code>if x &lt; 1 {\n\treturn “x”\n}</code></pre>"),
				Entities:    []bot.Entity{botMention}},
			want: "run\nif x < 1 {\n\treturn \"x\"\n}", source: SourceHTML,
		},
		{
			name: "unicode spaces, zero-width characters, bidi marks",
			a: &bot.Activity{Text: "<at>Ops Bot</at>\u00a0echo\u2003a\u200bb\u202fc\ufeff\u200ed",
				Entities: []bot.Entity{botMention}},
			want: "echo ab cd", source: SourceText,
		},
		{
			name: "curly and other autocorrected quotes",
			a:    &bot.Activity{Text: "<at>Ops Bot</at> echo “a” ‘b’ „c“ ‚d‘", Entities: []bot.Entity{botMention}},
			want: `echo "a" 'b' "c" 'd'`, source: SourceText,
		},
		{
			name: "Teams emoji tag and emoji image",
			a: &bot.Activity{Text: "<at>Ops Bot</at> echo hi",
				Attachments: htmlAttachment(`<div><span itemscope itemtype="http://schema.skype.com/Mention" itemid="0">Ops Bot</span> echo hi <emoji id="wave" alt="👋" title="Wave"></emoji> <img itemtype="http://schema.skype.com/Emoji" alt="😀" src="x"> <img src="https://x/photo.png" alt="image"></div>`),
				Entities:    []bot.Entity{botMention}},
			want: "echo hi 👋 😀", source: SourceHTML,
		},
		{
			name: "attachment without mention markup: fall back to text",
			a: &bot.Activity{Text: "<at>Ops Bot</at> ping",
				Attachments: htmlAttachment(`<div>Ops Bot ping</div>`),
				Entities:    []bot.Entity{botMention}},
			want: "ping", source: SourceText,
		},
		{
			name: "private-use runes typed by the user are dropped",
			a:    &bot.Activity{Text: "<at>Ops Bot</at> echo a\U000f0000b\ue000c", Entities: []bot.Entity{botMention}},
			want: "echo abc", source: SourceText,
		},
		{
			name: "unclosed mention tag",
			a:    &bot.Activity{Text: "<at>Ops Bot", Entities: []bot.Entity{botMention}},
			want: "", source: SourceText,
		},
		{
			name: "empty",
			a:    &bot.Activity{},
			want: "", source: SourceText,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Normalize(tt.a)
			if got := in.Text(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			if in.Source != tt.source {
				t.Errorf("got source %q; want %q", in.Source, tt.source)
			}
			if !reflect.DeepEqual(in.Mentions, tt.mentions) {
				t.Errorf("got mentions %+v; want %+v", in.Mentions, tt.mentions)
			}
		})
	}
}

func TestNormalizeTextKeepsMentionMarkers(t *testing.T) {
	a := loadActivity(t, "thread-deploy.json")
	in := NormalizeText(a)
	words, err := Split(in.Line)
	if err != nil {
		t.Fatal(err)
	}
	last := words[len(words)-1]
	st := parseState{in: &in}
	if got := st.mention(last); got != 0 {
		t.Errorf("got mention index %d for %q; want 0", got, last)
	}
	if got := CommandLine(a); got != `deploy web "staging eu" --reason "fix #4711 & rollback" Ana Lima` {
		t.Errorf("got %q", got)
	}
}

func TestInputAddMention(t *testing.T) {
	var in Input
	in.Line = "hi " + in.AddMention(Person{Name: "Ana"}) + " and " + in.AddMention(Person{Name: "Bo"})
	if got, want := in.Text(), "hi Ana and Bo"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

// TestTextAgreesWithPlainHTML backs the shortcut Normalize takes: where the
// attachment is plain, Text and the attachment give the same Input.
func TestTextAgreesWithPlainHTML(t *testing.T) {
	for _, name := range []string{"channel-ping.json", "docs-example.json", "thread-deploy.json"} {
		t.Run(name, func(t *testing.T) {
			a := loadActivity(t, name)
			raw, _ := htmlContent(a)
			if !plainHTML(raw) {
				t.Fatal("got a rich attachment; want a plain one")
			}
			h, ok := NormalizeHTML(a)
			if !ok {
				t.Fatal("no attachment")
			}
			x := NormalizeText(a)
			h.Source, x.Source = "", ""
			if !reflect.DeepEqual(h, x) {
				t.Errorf("got %+v from the attachment; %+v from text", h, x)
			}
		})
	}
}

// FuzzFastPath checks that the tokenizer-free path for <at>-only markup
// gives what the tokenizer gives.
func FuzzFastPath(f *testing.F) {
	for _, s := range []string{"<at>Bot</at> ping", "<AT>a &amp; b</at>&nbsp;x <at>Ana</at>", "a &lt b &notit; &#39;", "<at></at>", "<at>x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := &bot.Activity{Text: s, Entities: []bot.Entity{mention(botID, "Bot", ""), mention(anaID, "Ana", "<at>Ana</at>")}}
		fast := normalizer{a: a}
		fast.init()
		if !fast.fast(s) {
			return
		}
		slow := normalizer{a: a}
		slow.init()
		slow.walk(s)
		if string(fast.b) != string(slow.b) || !reflect.DeepEqual(fast.in, slow.in) {
			t.Fatalf("fast %q %+v; tokenizer %q %+v", fast.b, fast.in, slow.b, slow.in)
		}
	})
}
