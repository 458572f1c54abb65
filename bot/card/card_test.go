package card_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atc0005/go-teams-notify/v2/adaptivecard"
	"github.com/atc0005/go-teams-notify/v2/messagecard"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var ada = bot.Account{ID: "29:1a2b", Name: "Ada Lovelace", AADObjectID: "aad-ada"}

// goldenCards are the cards checked against testdata/<name>.golden.json and
// testdata/<name>.golden.txt (their terminal rendering).
func goldenCards() map[string]func() (bot.Reply, error) {
	return map[string]func() (bot.Reply, error){
		"adaptive": func() (bot.Reply, error) {
			return card.Adaptive(
				card.Heading("Deploy finished"),
				card.Text("All **3** services are up.").Subtle(),
				card.Facts(
					card.Fact{Name: "Environment", Value: "production"},
					card.Fact{Name: "Branch", Value: "main"},
				),
				card.Columns(
					card.Column(card.Text("api").Bold(), card.Text("v1.8.2")).Width("auto"),
					card.Column(card.Text("web").Bold(), card.Text("v2.0.0")),
				),
				card.Container(card.Text("No errors in the last hour.").Color(card.Good)).Style(card.Emphasis),
				card.Image("https://example.com/graph.png").Size(card.Medium),
				card.Code("go", "fmt.Println(\"hello\")\n"),
				card.Links(card.Link{Title: "Runbook", URL: "https://example.com/runbook"}),
			).Link("Open dashboard", "https://example.com/dash").Reply()
		},
		"adaptive-table": func() (bot.Reply, error) {
			return card.Adaptive(
				card.Heading("Open incidents"),
				card.Table([]string{"ID", "Severity", "Owner"},
					[]string{"INC-1", "high", "Ada"},
					[]string{"INC-22", "low", "Grace"},
				),
			).Summary("2 open incidents").FullWidth().Reply()
		},
		"adaptive-sections": func() (bot.Reply, error) {
			return card.Adaptive(
				card.Heading("Commands"),
				card.Text("deploy").Bold().Separator(),
				card.Facts(card.Fact{Name: "deploy", Value: "Deploy services"}),
				card.Text("Send help for more.").Subtle().Separator(),
			).Reply()
		},
		"adaptive-mention": func() (bot.Reply, error) {
			return card.Adaptive(card.Text("Approved by " + bot.At(ada).Text)).Mention(ada).Reply()
		},
		"hero": func() (bot.Reply, error) {
			return card.Hero("Release 2.0").Subtitle("Shipped today").Text("Faster builds, fewer bugs.").
				Image("https://example.com/hero.png", "Rocket").
				Link("Notes", "https://example.com/notes").Link("Download", "https://example.com/dl").
				Tap("https://example.com").Reply()
		},
		"thumbnail": func() (bot.Reply, error) {
			return card.Thumbnail("Ada Lovelace").Subtitle("On call").Image("https://example.com/ada.png", "Ada").
				Link("Profile", "https://example.com/ada").Summary("Ada is on call").Reply()
		},
		"list": func() (bot.Reply, error) {
			return card.List("Recent builds").Section("main").
				Item(card.ListItem{Title: "#42 passed", Subtitle: "2 min ago", Icon: "https://example.com/ok.png", URL: "https://ci.example.com/42"}).
				Item(card.ListItem{Title: "#41 failed", URL: "https://ci.example.com/41"}).
				Link("All builds", "https://ci.example.com").Reply()
		},
		"connector": func() (bot.Reply, error) {
			return card.Connector("Nightly report").Text("Everything ran.").Color("0076D7").
				Section(
					card.Section("Jobs").Activity("backup", "03:00 UTC", "https://example.com/b.png").
						Facts(card.Fact{Name: "Duration", Value: "12 min"}, card.Fact{Name: "Size", Value: "4.2 GB"}).
						Image("https://example.com/chart.png", "Chart").Link("Logs", "https://example.com/logs"),
					card.Section("").Text("No failures.").StartGroup(),
				).Link("Open report", "https://example.com/report").Reply()
		},
		"text-and-cards": func() (bot.Reply, error) {
			return card.Reply("Two builds finished:",
				card.Hero("Build #42").Text("passed"),
				card.Hero("Build #43").Text("failed").Link("Logs", "https://ci.example.com/43"),
			)
		},
	}
}

func TestGolden(t *testing.T) {
	for name, build := range goldenCards() {
		t.Run(name, func(t *testing.T) {
			r, err := build()
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if r.Summary == "" {
				t.Errorf("reply has no summary (text fallback)")
			}
			data, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, data, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden(t, name+".golden.json", pretty.Bytes())
			golden(t, name+".golden.txt", []byte(card.Render(r)+"\n"))

			// The reply survives a round trip as "outhook say" reads it.
			var back bot.Reply
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if card.Render(back) != card.Render(r) {
				t.Errorf("rendering differs after a JSON round trip")
			}
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestAdaptiveVersion(t *testing.T) {
	tests := []struct {
		name    string
		card    *card.AdaptiveCard
		want    string
		wantErr string
	}{
		{"default", card.Adaptive(card.Text("x")), "1.4", ""},
		{"table raises default", card.Adaptive(card.Table(nil, []string{"a"})).Summary("t"), "1.5", ""},
		{"explicit 1.2", card.Adaptive(card.Text("x")).Version("1.2"), "1.2", ""},
		{"explicit 1.5", card.Adaptive(card.Text("x")).Version("1.5"), "1.5", ""},
		{"1.6 unsupported", card.Adaptive(card.Text("x")).Version("1.6"), "", "Teams renders Adaptive Cards up to 1.5"},
		{"2.0 unsupported", card.Adaptive(card.Text("x")).Version("2.0"), "", "not an Adaptive Card version"},
		{"garbage", card.Adaptive(card.Text("x")).Version("latest"), "", "not an Adaptive Card version"},
		{"table needs 1.5", card.Adaptive(card.Table(nil, []string{"a"})).Summary("t").Version("1.4"), "", "body needs 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.card.Attachment()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var c struct{ Version string }
			if err := json.Unmarshal(a.Content, &c); err != nil {
				t.Fatal(err)
			}
			if c.Version != tt.want {
				t.Errorf("got version %q; want %q", c.Version, tt.want)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name string
		card card.Card
		want string
	}{
		// Adaptive Cards.
		{"empty adaptive", card.Adaptive(), "body is empty"},
		{"submit action", card.Adaptive(card.Text("x")).Action(adaptivecard.Action{Type: "Action.Submit", Title: "Go"}), "Action.Submit sends data back to a bot"},
		{"execute action", card.Adaptive(card.Text("x")).Action(adaptivecard.Action{Type: "Action.Execute", Title: "Go"}), "Action.Execute sends data back to a bot"},
		{"showcard with input", card.Adaptive(card.Text("x")).Action(adaptivecard.Action{Type: "Action.ShowCard", Title: "Comment",
			Card: &adaptivecard.Card{Type: "AdaptiveCard", Body: []adaptivecard.Element{{Type: "Input.Text", ID: "c"}}}}), "Input.Text: inputs need a bot"},
		{"showcard empty", card.Adaptive(card.Text("x")).Action(adaptivecard.Action{Type: "Action.ShowCard", Title: "More"}), "no card to show"},
		{"submit in action set", card.Adaptive(card.Raw(adaptivecard.Element{Type: "ActionSet", Actions: []adaptivecard.Action{{Type: "Action.Submit", Title: "x"}}})), "body[0].actions[0]: Action.Submit"},
		{"submit as select action", card.Adaptive(card.Raw(adaptivecard.Element{Type: "Container", Items: []adaptivecard.Element{{Type: "TextBlock", Text: "x"}},
			SelectAction: &adaptivecard.ISelectAction{Type: "Action.Submit"}})), "selectAction: Action.Submit"},
		{"input in container", card.Adaptive(card.Container(card.Raw(adaptivecard.Element{Type: "Input.Toggle", ID: "t"}))), "body[0].items[0]: Input.Toggle"},
		{"media", card.Adaptive(card.Raw(adaptivecard.Element{Type: "Media"})), "Media does not render"},
		{"unknown element", card.Adaptive(card.Raw(adaptivecard.Element{Type: "Carousel"})), `"Carousel" is not supported`},
		{"element without type", card.Adaptive(card.Raw(adaptivecard.Element{})), "element has no type"},
		{"link without url", card.Adaptive(card.Text("x")).Link("Open", ""), "URL is missing"},
		{"link without title", card.Adaptive(card.Text("x")).Link("", "https://x.example"), "link has no title"},
		{"javascript url", card.Adaptive(card.Text("x")).Link("Open", "javascript:alert(1)"), "must be absolute with scheme"},
		{"relative url", card.Adaptive(card.Links(card.Link{Title: "Open", URL: "/path"})), "must be absolute"},
		{"image without url", card.Adaptive(card.Image("")), "Image: URL is missing"},
		{"image in a column without url", card.Adaptive(card.Columns(card.Column(card.Image("ftp://x/y.png")))), "body[0].columns[0].items[0]: Image"},
		{"empty fact set", card.Adaptive(card.Facts()), "FactSet has no facts"},
		{"fact without value", card.Adaptive(card.Facts(card.Fact{Name: "a"})), "fact 1 needs a name and a value"},
		{"empty container", card.Adaptive(card.Container()), "Container is empty"},
		{"empty column set", card.Adaptive(card.Columns()), "ColumnSet has no columns"},
		{"ragged table", card.Adaptive(card.Table([]string{"a", "b"}, []string{"1"})), "rows[1]: 1 cells; the table has 2 columns"},
		{"empty table", card.Adaptive(card.Table(nil)), "Table has no columns"},
		{"unknown code language", card.Adaptive(card.Code("brainfuck", "+")), `language "brainfuck" is not one Teams highlights`},
		{"empty action set", card.Adaptive(card.Links()), "ActionSet has no actions"},
		{"no fallback", card.Adaptive(card.Image("https://x.example/i.png")), "summary is required"},
		{"mention not in text", card.Adaptive(card.Text("hello")).Mention(ada), "mention text not found"},
		{"bad column width", card.Adaptive(card.Columns(card.Column(card.Text("x")).Width("wide"))), "invalid pixel width"},
		{"bad text size (library check)", card.Adaptive(card.Text("x").Size("huge")), "invalid Size"},
		{"toggle without targets", card.Adaptive(card.Text("x")).Action(adaptivecard.Action{Type: "Action.ToggleVisibility", Title: "t"}), "no target elements"},
		{"library card with submit", card.FromLibrary(adaptivecard.Card{Body: []adaptivecard.Element{{Type: "TextBlock", Text: "x"}},
			Actions: []adaptivecard.Action{{Type: "Action.Submit", Title: "Send"}}}), "Action.Submit"},

		// Hero and thumbnail cards.
		{"empty hero", card.Hero(""), "needs a title, text or an image"},
		{"seven buttons", sevenButtons(), "7 buttons; Teams shows at most 6"},
		{"imBack button", card.Hero("t").Button(card.CardAction{Type: "imBack", Title: "Yes", Value: "yes"}), "imBack sends data back to a bot"},
		{"messageBack button", card.Hero("t").Button(card.CardAction{Type: "messageBack", Title: "Yes", Value: "yes"}), "messageBack sends data back"},
		{"invoke button", card.Thumbnail("t").Button(card.CardAction{Type: "invoke", Title: "Yes"}), "invoke sends data back"},
		{"signin button", card.Hero("t").Button(card.CardAction{Type: "signin", Title: "Sign in", Value: "https://login.example"}), "signin needs a bot"},
		{"two hero images", card.Hero("t").Image("https://x.example/1.png", "").Image("https://x.example/2.png", ""), "2 images; Teams shows only one"},
		{"hero image url", card.Hero("t").Image("not a url", ""), "image: URL"},
		{"hero tap", card.Hero("t").Tap("file:///etc/passwd"), "tap: URL"},
		{"image-only hero", card.Hero("").Image("https://x.example/1.png", "alt"), "summary is required"},

		// List cards.
		{"empty list", card.List("t"), "has no items"},
		{"list item without title", card.List("t").Item(card.ListItem{URL: "https://x.example"}), "item 1 has no title"},
		{"list imBack button", card.List("t").Item(card.ListItem{Title: "a"}).Button(card.CardAction{Type: "imBack", Title: "a", Value: "a"}), "button 1: imBack"},

		// Connector cards.
		{"eleven sections", elevenSections(), "11 sections; Teams shows at most 10"},
		{"six section images", sixImages(), "6 images; a section may have at most 5"},
		{"six section actions", sixActions(), "6 actions; a section may have at most 5"},
		{"five card actions", fiveCardActions(), "5 actions; a connector card may have at most 4"},
		{"empty section", card.Connector("t").Section(card.Section("")), "section 1: is empty"},
		{"no summary", card.Connector("").Section(card.Section("s")), "summary is required when there is no text"},
		{"bad colour", card.Connector("t").Color("blue"), `colour "blue" is not hex`},
		{"http post action", card.Connector("t").Action(&messagecard.PotentialAction{Type: "HttpPOST", Name: "Approve"}), "HttpPOST sends data back"},
		{"action card with inputs", card.Connector("t").Action(&messagecard.PotentialAction{Type: "ActionCard", Name: "Comment",
			PotentialActionActionCard: messagecard.PotentialActionActionCard{Inputs: []messagecard.PotentialActionActionCardInput{{Type: "TextInput", ID: "c"}}}}), `ActionCard "Comment" has inputs`},
		{"open uri without targets", card.Connector("t").Action(&messagecard.PotentialAction{Type: "OpenUri", Name: "Open"}), "has no targets"},
		{"section fact without value", card.Connector("t").Section(card.Section("s").Facts(card.Fact{Name: "a"})), "fact 1 needs a name and a value"},
		{"nil section", card.Connector("t").Section(nil), "section 1 is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.card.Attachment()
			if err == nil {
				t.Fatalf("got no error; want one containing %q", tt.want)
			}
			if !errors.Is(err, card.ErrInvalid) {
				t.Errorf("error %q does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %q; want one containing %q", err, tt.want)
			}
			if _, err := card.Reply("", tt.card); err == nil {
				t.Errorf("card.Reply accepted an invalid card")
			}
		})
	}
}

func TestValidClientSideActions(t *testing.T) {
	target := card.Raw(adaptivecard.Element{Type: "TextBlock", Text: "details", ID: "d"})
	c := card.Adaptive(card.Text("x"), target).
		Action(adaptivecard.Action{Type: "Action.ToggleVisibility", Title: "Details", TargetElements: []adaptivecard.TargetElement{{ElementID: "d"}}}).
		Action(adaptivecard.Action{Type: "Action.ShowCard", Title: "More", Card: &adaptivecard.Card{Type: "AdaptiveCard",
			Body: []adaptivecard.Element{{Type: "TextBlock", Text: "more"}}}})
	if _, err := c.Attachment(); err != nil {
		t.Errorf("client-side actions rejected: %v", err)
	}
}

func sevenButtons() card.Card {
	h := card.Hero("t")
	for range 7 {
		h.Link("b", "https://x.example")
	}
	return h
}

func elevenSections() card.Card {
	c := card.Connector("t")
	for range 11 {
		c.Section(card.Section("s"))
	}
	return c
}

func sixImages() card.Card {
	s := card.Section("s")
	for range 6 {
		s.Image("https://x.example/i.png", "i")
	}
	return card.Connector("t").Section(s)
}

func sixActions() card.Card {
	s := card.Section("s")
	for range 6 {
		s.Link("l", "https://x.example")
	}
	return card.Connector("t").Section(s)
}

func fiveCardActions() card.Card {
	c := card.Connector("t")
	for range 5 {
		c.Link("l", "https://x.example")
	}
	return c
}

func TestReplyFallback(t *testing.T) {
	r, err := card.Reply("", card.Hero("one"), card.Adaptive(card.Text("two **bold**")))
	if err != nil {
		t.Fatal(err)
	}
	if want := "one · two bold"; r.Summary != want {
		t.Errorf("summary = %q; want %q", r.Summary, want)
	}
	if _, err := card.Reply(""); err == nil {
		t.Errorf("empty reply accepted")
	}
	if _, err := card.Reply("x", nil); err == nil {
		t.Errorf("nil card accepted")
	}
}

// TestHugeCardIsFitted checks the card builders and bot.Fit together: a
// card far over Teams' limit is shrunk, still valid JSON, with a note.
func TestHugeCardIsFitted(t *testing.T) {
	c := card.Adaptive(card.Heading("Log"))
	for i := range 3000 {
		c.Add(card.Text(strings.Repeat("line ", 5) + string(rune('a'+i%26))))
	}
	r, err := c.Reply()
	if err != nil {
		t.Fatal(err)
	}
	fitted := bot.Fit(r, 0)
	data, _ := json.Marshal(fitted)
	if len(data) > bot.MaxReplySize {
		t.Errorf("fitted size %d; want at most %d", len(data), bot.MaxReplySize)
	}
	if len(fitted.Attachments) != 1 || !strings.Contains(card.Render(fitted), "more items left out") {
		t.Errorf("card not shrunk with a note: %s", card.Render(fitted)[:200])
	}
}
