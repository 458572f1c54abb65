package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/outhook/outhook/bot"
)

func size(t testing.TB, r bot.Reply) int {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return len(data)
}

// textOfSize returns a text reply whose encoding is exactly n bytes.
func textOfSize(t *testing.T, n int) bot.Reply {
	t.Helper()
	r := bot.Text("")
	base := size(t, bot.Text("x")) - 1
	r.Text = strings.Repeat("word ", n)[:n-base]
	if got := size(t, r); got != n {
		t.Fatalf("setup: size = %d; want %d", got, n)
	}
	return r
}

func TestFitUnchanged(t *testing.T) {
	for _, r := range []bot.Reply{
		bot.Text("hello"),
		{Summary: "s", Attachments: []bot.Attachment{{ContentType: "application/vnd.microsoft.card.hero", Content: bot.RawJSON(`{"title":"t"}`)}}},
		bot.Text("hi").Mention(bot.Account{ID: "29:1", Name: "Ada"}),
	} {
		got := bot.Fit(r, 0)
		if got.Text != r.Text || len(got.Attachments) != len(r.Attachments) || len(got.Entities) != len(r.Entities) {
			t.Errorf("Fit(%+v) = %+v; want it unchanged", r, got)
		}
	}
}

func TestFitTextEdges(t *testing.T) {
	const limit = 2000
	tests := []struct {
		name    string
		reply   bot.Reply
		wantCut bool
	}{
		{"exactly at the limit", textOfSize(t, limit), false},
		{"one byte under", textOfSize(t, limit-1), false},
		{"one byte over", textOfSize(t, limit+1), true},
		{"two-byte runes", bot.Text(strings.Repeat("é", limit)), true},
		{"three-byte runes", bot.Text(strings.Repeat("世", limit)), true},
		{"four-byte runes", bot.Text(strings.Repeat("🎉", limit)), true},
		{"one huge word", bot.Text(strings.Repeat("x", 10*limit)), true},
		{"escaped characters", bot.Text(strings.Repeat("<&>\"\n", limit)), true},
		{"invalid utf-8", bot.Text(strings.Repeat("\xff", limit)), true},
		{"paragraphs", bot.Text(strings.Repeat("Lorem ipsum dolor sit amet.\n\n", 200)), true},
		{"huge", bot.Text(strings.Repeat("0123456789 ", 1<<17)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bot.Fit(tt.reply, limit)
			if n := size(t, got); n > limit {
				t.Errorf("size = %d; want at most %d", n, limit)
			}
			if !utf8.ValidString(got.Text) && utf8.ValidString(tt.reply.Text) {
				t.Errorf("text is not valid UTF-8 after the cut: %q", got.Text[len(got.Text)-10:])
			}
			cut := strings.Contains(got.Text, "Cut here")
			if cut != tt.wantCut {
				t.Errorf("cut = %v; want %v (text ends %q)", cut, tt.wantCut, tail(got.Text))
			}
			if !cut && got.Text != tt.reply.Text {
				t.Errorf("uncut text changed")
			}
			if cut {
				kept, _, _ := strings.Cut(got.Text, "\n\n*(Cut here")
				if !strings.HasPrefix(tt.reply.Text, kept) {
					t.Errorf("kept text is not a prefix of the original: ends %q", tail(kept))
				}
				if n := size(t, bot.Text(kept)); n < limit/2 {
					t.Errorf("kept only %d encoded bytes of a %d-byte budget", n, limit)
				}
			}
		})
	}
}

func tail(s string) string {
	if len(s) > 60 {
		return s[len(s)-60:]
	}
	return s
}

func TestFitCleanBoundaries(t *testing.T) {
	para := strings.Repeat("word ", 30) + "end."
	r := bot.Text(strings.Repeat(para+"\n\n", 40))
	got := bot.Fit(r, 3000)
	kept, _, _ := strings.Cut(got.Text, "\n\n*(Cut here")
	if !strings.HasSuffix(kept, "end.") {
		t.Errorf("cut is not at a paragraph break: ends %q", tail(kept))
	}

	lines := bot.Text(strings.Repeat("a line of text\n", 1000))
	got = bot.Fit(lines, 3000)
	kept, _, _ = strings.Cut(got.Text, "\n\n*(Cut here")
	if !strings.HasSuffix(kept, "a line of text") {
		t.Errorf("cut is not at a line break: ends %q", tail(kept))
	}

	words := bot.Text(strings.Repeat("lorem ", 2000))
	got = bot.Fit(words, 3000)
	kept, _, _ = strings.Cut(got.Text, "\n\n*(Cut here")
	if !strings.HasSuffix(kept, "lorem") {
		t.Errorf("cut is not at a word: ends %q", tail(kept))
	}
}

func TestFitClosesCodeBlock(t *testing.T) {
	r := bot.Text("Output:\n\n" + bot.CodeBlock("text", strings.Repeat("log line\n", 2000)) + "\n\ndone")
	got := bot.Fit(r, 4000)
	kept, _, ok := strings.Cut(got.Text, "\n\n*(Cut here")
	if !ok {
		t.Fatalf("no cut note in %q", tail(got.Text))
	}
	if !strings.HasSuffix(kept, "log line\n```") {
		t.Errorf("code block not closed: ends %q", tail(kept))
	}
	if n := size(t, got); n > 4000 {
		t.Errorf("size = %d; want at most 4000", n)
	}
}

func TestFitKeepsMentionsWhole(t *testing.T) {
	ada := bot.Account{ID: "29:1", Name: "Ada Augusta Lovelace"}
	bob := bot.Account{ID: "29:2", Name: "Bob"}
	r := bot.Text("Hi").Mention(ada)
	r.Text += " " + strings.Repeat("x ", 1000)
	r = r.Mention(bob)
	got := bot.Fit(r, 1500)
	if n := size(t, got); n > 1500 {
		t.Errorf("size = %d; want at most 1500", n)
	}
	if len(got.Entities) != 1 || got.Entities[0].Mentioned.Name != ada.Name {
		t.Errorf("entities = %+v; want only Ada's (Bob's tag was cut)", got.Entities)
	}

	// A tag straddling the cut is dropped whole, with its entity.
	for n := 900; n < 1000; n++ {
		r := bot.Text(strings.Repeat("y", n)).Mention(ada)
		r.Text += strings.Repeat(" z", 600)
		got := bot.Fit(r, 1200)
		if strings.Contains(got.Text, "<at>") != (len(got.Entities) == 1) {
			t.Fatalf("n=%d: text %q and entities %+v disagree", n, tail(got.Text), got.Entities)
		}
		if i := strings.Index(got.Text, "<at>"); i >= 0 && !strings.Contains(got.Text[i:], "</at>") {
			t.Fatalf("n=%d: mention cut in half: %q", n, tail(got.Text))
		}
	}
}

func adaptive(n int, elem string) bot.Attachment {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"type":"TextBlock","text":"%s %d"}`, elem, i)
	}
	return bot.Attachment{
		ContentType: "application/vnd.microsoft.card.adaptive",
		Content:     bot.RawJSON(`{"type":"AdaptiveCard","version":"1.4","body":[` + strings.Join(items, ",") + `]}`),
	}
}

func TestFitCards(t *testing.T) {
	hero := bot.Attachment{ContentType: "application/vnd.microsoft.card.hero", Content: bot.RawJSON(`{"title":"` + strings.Repeat("h", 40000) + `"}`)}
	small := bot.Attachment{ContentType: "application/vnd.microsoft.card.hero", Content: bot.RawJSON(`{"title":"small"}`)}
	connector := bot.Attachment{ContentType: "application/vnd.microsoft.teams.card.o365connector",
		Content: bot.RawJSON(`{"@type":"MessageCard","summary":"s","sections":[` + strings.Repeat(`{"text":"`+strings.Repeat("s", 5000)+`"},`, 9) + `{"text":"last"}]}`)}
	tests := []struct {
		name        string
		reply       bot.Reply
		wantCards   int
		wantInText  string
		wantInCards string
	}{
		{"adaptive card shrinks", bot.Reply{Summary: "s", Attachments: []bot.Attachment{adaptive(3000, "row")}}, 1, "", "more items left out"},
		{"hero card is dropped", bot.Reply{Text: "see card", Attachments: []bot.Attachment{hero}}, 0, "1 card left out", ""},
		{"only the big card goes", bot.Reply{Summary: "s", Attachments: []bot.Attachment{small, hero}}, 1, "1 card left out", "small"},
		{"connector card shrinks", bot.Reply{Summary: "s", Attachments: []bot.Attachment{connector}}, 1, "", "left out"},
		{"one huge element is dropped", bot.Reply{Summary: "s", Attachments: []bot.Attachment{adaptive(2, strings.Repeat("z", 40000))}}, 0, "1 card left out", ""},
		{"card and long text", bot.Reply{Text: strings.Repeat("text ", 10000), Attachments: []bot.Attachment{adaptive(100, "row")}}, 1, "Cut here", "row 99"},
		{"many cards", bot.Reply{Summary: "s", Attachments: []bot.Attachment{adaptive(500, "a"), adaptive(500, "b"), adaptive(500, "c")}}, 2, "", "b 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bot.Fit(tt.reply, bot.MaxReplySize)
			if n := size(t, got); n > bot.MaxReplySize {
				t.Errorf("size = %d; want at most %d", n, bot.MaxReplySize)
			}
			if len(got.Attachments) != tt.wantCards {
				t.Errorf("got %d cards; want %d", len(got.Attachments), tt.wantCards)
			}
			if !strings.Contains(got.Text, tt.wantInText) {
				t.Errorf("text %q lacks %q", tail(got.Text), tt.wantInText)
			}
			var all strings.Builder
			for _, a := range got.Attachments {
				if !json.Valid(a.Content) {
					t.Errorf("card content is not valid JSON")
				}
				all.Write(a.Content)
			}
			if !strings.Contains(all.String(), tt.wantInCards) {
				t.Errorf("cards lack %q", tt.wantInCards)
			}
			if got.IsZero() {
				t.Errorf("fitted reply is empty")
			}
		})
	}
	// The input is not modified.
	r := bot.Reply{Summary: "s", Attachments: []bot.Attachment{small, hero}}
	bot.Fit(r, 0)
	if len(r.Attachments) != 2 || string(r.Attachments[1].Content) != string(hero.Content) {
		t.Errorf("Fit modified its argument")
	}
}

func TestFitSummary(t *testing.T) {
	r := bot.Reply{Summary: strings.Repeat("summary ", 10000), Attachments: []bot.Attachment{adaptive(3, "row")}}
	got := bot.Fit(r, 1000)
	if n := size(t, got); n > 1000 {
		t.Errorf("size = %d; want at most 1000", n)
	}
	if !strings.HasSuffix(got.Summary, "summary…") || len(got.Attachments) != 1 {
		t.Errorf("summary = %q, %d cards; want a cut summary and the card", tail(got.Summary), len(got.Attachments))
	}
}

func FuzzFit(f *testing.F) {
	f.Add("hello **world**\n\n```go\ncode\n```", 600, 3)
	f.Add("<at>A</at> &amp; é🎉", 520, 0)
	f.Fuzz(func(t *testing.T, text string, limit, cards int) {
		limit = 512 + abs(limit)%4096
		r := bot.Text(strings.Repeat(text, 1+2*limit/(len(text)+1))).Mention(bot.Account{ID: "29:1", Name: text})
		for i := range abs(cards) % 4 {
			r.Attachments = append(r.Attachments, adaptive(1+i*40, text))
		}
		got := bot.Fit(r, limit)
		if n := size(t, got); n > limit {
			t.Fatalf("size = %d; want at most %d", n, limit)
		}
		if got.IsZero() {
			t.Fatalf("fitted reply is empty")
		}
		if utf8.ValidString(r.Text) && !utf8.ValidString(got.Text) {
			t.Fatalf("text became invalid UTF-8")
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}

func BenchmarkFit(b *testing.B) {
	small := bot.Text("pong")
	big := bot.Text(strings.Repeat("0123456789 ", 10000))
	b.Run("small/baseline-marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = small.MarshalJSON()
		}
	})
	b.Run("small/fit-marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = bot.Fit(small, 0).MarshalJSON()
		}
	})
	b.Run("big/fit-marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = bot.Fit(big, 0).MarshalJSON()
		}
	})
}
