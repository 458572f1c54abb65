package incoming

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
)

// posted encodes m for kind and returns the text of its first TextBlock
// after the asker line (Workflows) or the MessageCard text (connector),
// and the mention texts posted.
func posted(t *testing.T, m Message, kind Kind) (text string, mentions []string) {
	t.Helper()
	b, err := m.encode(kind)
	if err != nil {
		t.Fatal(err)
	}
	if kind == Connector {
		var c struct{ Text string }
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return c.Text, nil
	}
	var v struct {
		Attachments []struct {
			Content struct {
				Body []struct {
					Text string `json:"text"`
				} `json:"body"`
				MSTeams struct {
					Entities []bot.Entity `json:"entities"`
				} `json:"msteams"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	c := v.Attachments[0].Content
	for _, e := range c.MSTeams.Entities {
		mentions = append(mentions, e.Text+"="+e.Mentioned.ID)
	}
	return c.Body[0].Text, mentions
}

func TestMentionsInText(t *testing.T) {
	bob := bot.Account{ID: "29:bob", Name: "Bob"}
	rd := bot.Account{ID: "29:rd", Name: "R&D <team>"}
	tests := []struct {
		name      string
		text      string
		entities  []bot.Entity
		workflows string   // posted text on a Workflows URL
		mentions  []string // its entities, text=id
		connector string   // posted text on a connector URL
	}{
		{"entity", "hi " + bot.At(bob).Text, []bot.Entity{bot.At(bob)},
			"hi <at>Bob</at>", []string{"<at>Bob</at>=29:bob"}, "hi **Bob**"},
		{"escaped name", bot.At(rd).Text, []bot.Entity{bot.At(rd)},
			"<at>R&amp;D &lt;team&gt;</at>", []string{"<at>R&amp;D &lt;team&gt;</at>=29:rd"}, "**R&amp;D &lt;team&gt;**"},
		{"no entity", "hi <at>Bob</at>", nil, "hi **Bob**", nil, "hi **Bob**"},
		{"entity without text", "hi <at>R&amp;D &lt;team&gt;</at>",
			[]bot.Entity{{Type: "mention", Mentioned: &rd}},
			"hi <at>R&amp;D &lt;team&gt;</at>", []string{"<at>R&amp;D &lt;team&gt;</at>=29:rd"}, "hi **R&amp;D &lt;team&gt;**"},
		{"entity without id", "hi <at>Bob</at>", []bot.Entity{{Type: "mention", Text: "<at>Bob</at>", Mentioned: &bot.Account{Name: "Bob"}}},
			"hi **Bob**", nil, "hi **Bob**"},
		{"unused entity", "hi", []bot.Entity{bot.At(bob)}, "hi", nil, "hi"},
		{"twice, one entity", "<at>Bob</at> and <at>Bob</at>", []bot.Entity{bot.At(bob), bot.At(bob)},
			"<at>Bob</at> and <at>Bob</at>", []string{"<at>Bob</at>=29:bob"}, "**Bob** and **Bob**"},
		{"other case and attributes", `hi <AT id="0">Bob</AT>`, nil, "hi **Bob**", nil, "hi **Bob**"},
		{"markdown in name", "<at>*a*_b_</at>", nil, "**&#42;a&#42;&#95;b&#95;**", nil, "**&#42;a&#42;&#95;b&#95;**"},
		{"emoji in name", `<at>Bob <img alt="🙂" src="x"></at>`, nil, "**Bob**", nil, "**Bob**"},
		{"empty tag", "hi <at></at>!", nil, "hi !", nil, "hi !"},
		{"escaped tag stays text", "&lt;at&gt;Bob&lt;/at&gt;", nil, "&lt;at&gt;Bob&lt;/at&gt;", nil, "&lt;at&gt;Bob&lt;/at&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Message{Text: tt.text, Entities: tt.entities}
			got, ms := posted(t, m, Workflows)
			if got != tt.workflows {
				t.Errorf("workflows: got %q; want %q", got, tt.workflows)
			}
			if strings.Join(ms, " ") != strings.Join(tt.mentions, " ") {
				t.Errorf("workflows: got entities %q; want %q", ms, tt.mentions)
			}
			if got, _ := posted(t, m, Connector); got != tt.connector {
				t.Errorf("connector: got %q; want %q", got, tt.connector)
			}
		})
	}
}

func TestMentionsOfTheAsker(t *testing.T) {
	ada := bot.Account{ID: "29:ada", Name: "Ada", AADObjectID: "aad-ada"}
	tests := []struct {
		name     string
		asker    bot.Account
		entities []bot.Entity
		want     []string
	}{
		{"by Teams id, merged", ada, []bot.Entity{bot.At(ada)}, []string{"<at>Ada</at>=aad-ada"}},
		{"by AAD id, merged", ada, []bot.Entity{bot.At(bot.Account{AADObjectID: "aad-ada", Name: "Ada"})}, []string{"<at>Ada</at>=aad-ada"}},
		{"by UPN, kept", ada, []bot.Entity{{Type: "mention", Text: "<at>Ada</at>", Mentioned: &bot.Account{ID: "ada@contoso.com", Name: "Ada"}}},
			[]string{"<at>Ada</at>=aad-ada", "<at>Ada</at>=ada@contoso.com"}},
		{"no AAD id: Teams id", bot.Account{ID: "29:ada", Name: "Ada"}, []bot.Entity{bot.At(ada)}, []string{"<at>Ada</at>=29:ada"}},
		{"no ids: bold", bot.Account{Name: "Ada"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asker := tt.asker
			m := Message{Mention: &asker, Text: "done " + bot.At(ada).Text, Entities: tt.entities}
			_, ms := posted(t, m, Workflows)
			if strings.Join(ms, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got entities %q; want %q", ms, tt.want)
			}
		})
	}
}

// FuzzMentions: whatever the text and names, a connector post holds no
// mention markup, and a Workflows post only tags that have an entity.
func FuzzMentions(f *testing.F) {
	f.Add("hi <at>Bob</at>", "Bob", "29:bob")
	f.Add("<at>R&amp;D</at> <AT x>y</at>", "R&D", "")
	f.Add("<at><at>x</at></at>", "<at>x</at>", "1")
	f.Fuzz(func(t *testing.T, text, name, id string) {
		m := Message{Text: text, Entities: []bot.Entity{{Type: "mention", Text: "<at>" + escapeName(name) + "</at>",
			Mentioned: &bot.Account{ID: id, Name: name}}}}
		b, err := m.encode(Connector)
		if err != nil {
			if text == "" {
				return
			}
			t.Fatalf("connector: %v", err)
		}
		var c struct{ Text string }
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("connector: invalid JSON: %v", err)
		}
		if mentionTag.MatchString(c.Text) {
			t.Errorf("connector: got %q from %q; want no mention markup", c.Text, text)
		}
		got, ms := posted(t, m, Workflows)
		for _, tag := range mentionTag.FindAllString(got, -1) {
			if len(ms) != 1 || !strings.HasPrefix(ms[0], tag+"=") {
				t.Errorf("workflows: tag %q in %q without its entity (entities %q)", tag, got, ms)
			}
		}
		for _, e := range ms {
			if !strings.Contains(got, e[:strings.Index(e, "</at>=")+len("</at>")]) {
				t.Errorf("workflows: entity %q not in %q", e, got)
			}
		}
	})
}
