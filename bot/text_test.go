package bot_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
)

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello world", "hello world"},
		{"empty", "", ""},
		{"unicode", "Grüße, 世界 🎉", "Grüße, 世界 🎉"},
		{"bold", "**x**", "&#42;&#42;x&#42;&#42;"},
		{"italic underscores", "_x_", "&#95;x&#95;"},
		{"strike", "~~x~~", "&#126;&#126;x&#126;&#126;"},
		{"code span", "`rm -rf`", "&#96;rm -rf&#96;"},
		{"link", "[click](http://evil)", "&#91;click&#93;(http://evil)"},
		{"backslash", `a\*b`, "a&#92;&#42;b"},
		{"forged mention", "<at>CEO</at>", "&lt;at&gt;CEO&lt;/at&gt;"},
		{"html", `<img src=x onerror=alert(1)>`, "&lt;img src=x onerror=alert(1)&gt;"},
		{"entity stays literal", "&lt;", "&amp;lt;"},
		{"heading", "# title", "&#35; title"},
		{"bullet", "- item\n+ item", "&#45; item\n&#43; item"},
		{"indented bullet", "  - item", "  &#45; item"},
		{"dash mid-line", "a - b", "a - b"},
		{"ordered list", "1. first\n12) second", "1&#46; first\n12&#41; second"},
		{"number mid-line", "version 1.2", "version 1.2"},
		{"quote", "> quoted", "&gt; quoted"},
		{"setext underline", "title\n===", "title\n&#61;=="},
		{"table pipe at start", "| a |", "&#124; a |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bot.Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCode(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "go test", "`go test`"},
		{"backtick inside", "a`b", "``a`b``"},
		{"double backtick inside", "a``b`c", "```a``b`c```"},
		{"starts with backtick", "`x", "`` `x ``"},
		{"newlines", "a\nb\r\nc", "`a b c`"},
		{"empty", "", "` `"},
		{"markdown stays literal", "**x** <at>y</at>", "`**x** <at>y</at>`"},
		{"surrounded by spaces", " x ", "`  x  `"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bot.Code(tt.in); got != tt.want {
				t.Errorf("Code(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCodeBlock(t *testing.T) {
	tests := []struct {
		name, lang, in, want string
	}{
		{"plain", "go", "x := 1\n", "```go\nx := 1\n```"},
		{"no language", "", "a", "```\na\n```"},
		{"fence inside", "md", "```\nhi\n```", "````md\n```\nhi\n```\n````"},
		{"hostile language", "go\n```\n<at>x", "a", "```goatx\na\n```"},
		{"language keeps c++", "c++", "a", "```c++\na\n```"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bot.CodeBlock(tt.lang, tt.in); got != tt.want {
				t.Errorf("CodeBlock(%q, %q) = %q; want %q", tt.lang, tt.in, got, tt.want)
			}
		})
	}
}

func TestAt(t *testing.T) {
	tests := []struct {
		name     string
		in       bot.Account
		wantText string
		wantID   string
		wantName string
	}{
		{"plain", bot.Account{ID: "29:1", Name: "Ada Lovelace"}, "<at>Ada Lovelace</at>", "29:1", "Ada Lovelace"},
		{"ampersand", bot.Account{ID: "29:2", Name: "R&D Bot"}, "<at>R&amp;D Bot</at>", "29:2", "R&D Bot"},
		{"tag in name", bot.Account{ID: "29:3", Name: "a</at><at>b"}, "<at>a&lt;/at&gt;&lt;at&gt;b</at>", "29:3", "a</at><at>b"},
		{"aad only", bot.Account{AADObjectID: "aad-1", Name: "Né"}, "<at>Né</at>", "aad-1", "Né"},
		{"no name", bot.Account{ID: "29:4"}, "<at>unknown</at>", "29:4", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := bot.At(tt.in)
			if e.Type != "mention" || e.Text != tt.wantText || e.Mentioned == nil ||
				e.Mentioned.ID != tt.wantID || e.Mentioned.Name != tt.wantName {
				t.Errorf("At(%+v) = %+v (mentioned %+v); want text %q id %q name %q", tt.in, e, e.Mentioned, tt.wantText, tt.wantID, tt.wantName)
			}
		})
	}
}

func TestReplyMention(t *testing.T) {
	ada := bot.Account{ID: "29:1", Name: "Ada"}
	bob := bot.Account{ID: "29:2", Name: "Bob <3"}
	r := bot.Text("Build is green,").Mention(ada, bob)
	if want := "Build is green, <at>Ada</at> <at>Bob &lt;3</at>"; r.Text != want {
		t.Errorf("text = %q; want %q", r.Text, want)
	}
	if len(r.Entities) != 2 || r.Entities[1].Mentioned.Name != "Bob <3" {
		t.Fatalf("entities = %+v; want two mentions", r.Entities)
	}
	// Every entity's text must occur in the reply text, or Teams drops it.
	for _, e := range r.Entities {
		if !strings.Contains(r.Text, e.Text) {
			t.Errorf("entity text %q not in reply text %q", e.Text, r.Text)
		}
	}
	if got := (bot.Reply{}).Mention(ada).Text; got != "<at>Ada</at>" {
		t.Errorf("mention on empty reply = %q; want %q", got, "<at>Ada</at>")
	}
	// Mention must not alias the original reply's entities.
	base := bot.Reply{Text: "x", Entities: make([]bot.Entity, 0, 4)}
	one, two := base.Mention(ada), base.Mention(bob)
	if one.Entities[0].Mentioned.Name != "Ada" || two.Entities[0].Mentioned.Name != "Bob <3" {
		t.Errorf("Mention aliased entities: %+v, %+v", one.Entities[0].Mentioned, two.Entities[0].Mentioned)
	}
}

var entityRE = regexp.MustCompile(`^&(amp|lt|gt|#[0-9]+);`)

func next(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '&')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

type stringer struct{}

func (stringer) String() string { return "*s*" }

func TestEscapef(t *testing.T) {
	ada := bot.Account{ID: "29:1", Name: "Ada"}
	r := bot.Escapef("**%s** asked %v for %s: %d, %v, %s, %s", ada, &ada, "<at>x</at> *y*", 42, errors.New("_e_"), stringer{}, (*bot.Account)(nil))
	want := "**<at>Ada</at>** asked <at>Ada</at> for &lt;at&gt;x&lt;/at&gt; &#42;y&#42;: 42, &#95;e&#95;, &#42;s&#42;, "
	if r.Text != want {
		t.Errorf("text = %q; want %q", r.Text, want)
	}
	if len(r.Entities) != 2 {
		t.Errorf("got %d entities; want 2", len(r.Entities))
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"entities":[{"type":"mention","mentioned":{"id":"29:1","name":"Ada"}`) {
		t.Errorf("encoded reply %s lacks the mention entity", data)
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "<at>x</at>", "**b**", "1. a\n- b", "a&amp;b", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := bot.Escape(s)
		for _, bad := range []string{"<", ">", "*", "_", "`", "[", "]", "~", "\\"} {
			if strings.Contains(got, bad) {
				t.Fatalf("Escape(%q) = %q keeps %q", s, got, bad)
			}
		}
		// Every & starts a complete entity.
		for i := strings.IndexByte(got, '&'); i >= 0; i = next(got, i) {
			if !entityRE.MatchString(got[i:]) {
				t.Fatalf("Escape(%q) = %q has a bare & at %d", s, got, i)
			}
		}
		c := bot.Code(s)
		if strings.ContainsAny(c, "\n\r") {
			t.Fatalf("Code(%q) = %q holds a line break", s, c)
		}
	})
}
