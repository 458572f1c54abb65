package standard_test

import (
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/standard"
	"github.com/outhook/outhook/router"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStandardPlugins(t *testing.T) {
	r := router.New()
	if err := plugins.Install(r); err != nil {
		t.Fatal(err)
	}
	s := bottest.NewServer(bot.Config{Handler: r})
	t.Cleanup(s.Close)
	// A real capture, posted as Teams posted it.
	ping, err := os.ReadFile("testdata/channel-ping.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := bottest.Post(s.Client(), s.URL, s.Token, ping); err != nil || !strings.HasPrefix(got.Text, "pong (") {
		t.Errorf("ping fixture: got %q, %v; want pong", got.Text, err)
	}

	zoe := bot.Account{ID: "29:abc", Name: "Zoë Müller", AADObjectID: "aad-1"}
	tests := []struct {
		name    string
		msg     bottest.Message
		command string
		want    []string
	}{
		{"echo joins with one space", bottest.Message{Text: `echo  a   "b  c"  d`}, "echo", []string{"a b  c d"}},
		{"echo keeps characters", bottest.Message{Text: `echo Grüße <tag> & 'quoted' #42 C# 👋`}, "echo", []string{"Grüße <tag> & quoted #42 C# 👋"}},
		{"echo curly quotes", bottest.Message{Text: "echo “two words” ‘x y’"}, "echo", []string{"two words x y"}},
		{"alias, any case", bottest.Message{Text: "SAY hi"}, "echo", []string{"hi"}},
		{"whoami", bottest.Message{Text: "whoami", From: zoe}, "whoami",
			[]string{"Zoë Müller", "aad-1", "29:abc", bottest.DefaultTeam, bottest.DefaultChannel, bottest.DefaultTenant}},
		{"help lists", bottest.Message{Text: "help"}, "help", []string{"[Adaptive Card]", "\necho:", "\nhelp:", "\nping:", "\nwhoami:"}},
		{"help lists as text", bottest.Message{Text: "help --text"}, "help", []string{"**echo**", "**help**", "**ping**", "**whoami**"}},
		{"help command", bottest.Message{Text: "help echo"}, "help", []string{"[Adaptive Card]\necho\n", "```\necho <text…>\n```", "Also: say"}},
		{"help command as text", bottest.Message{Text: "help echo --text"}, "help", []string{"`echo <text…>`", "Also: `say`"}},
		{"unknown", bottest.Message{Text: "deploy prod"}, "unknown", []string{"`deploy`", "help"}},
		{"empty", bottest.Message{Text: ""}, "", []string{"help"}},
		{"unbalanced quote", bottest.Message{Text: `echo "oops`}, "echo", []string{"quote is not closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Send(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Command != tt.command {
				t.Errorf("got command %q; want %q", r.Command, tt.command)
			}
			for _, w := range tt.want {
				if got := r.Text + "\n" + card.Render(r.Reply); !strings.Contains(got, w) {
					t.Errorf("got %q; want it to contain %q", got, w)
				}
			}
		})
	}
}

// TestStandardHelpCard reads help's card: every visible command of the
// standard plugins has its line, and the summary names them.
func TestStandardHelpCard(t *testing.T) {
	r := router.New()
	if err := plugins.Install(r); err != nil {
		t.Fatal(err)
	}
	s := bottest.NewServer(bot.Config{Handler: r})
	t.Cleanup(s.Close)
	rep, err := s.Say("help")
	if err != nil {
		t.Fatal(err)
	}
	c, err := rep.Adaptive()
	if err != nil {
		t.Fatal(err)
	}
	facts := c.Facts()
	for _, cmd := range r.Commands() {
		if cmd.Hidden {
			continue
		}
		if facts[cmd.Name] == "" {
			t.Errorf("got facts %v; want a line for %s", facts, cmd.Name)
		}
		if !strings.Contains(rep.Summary, cmd.Name) {
			t.Errorf("got summary %q; want %s in it", rep.Summary, cmd.Name)
		}
	}
	if len(facts) == 0 {
		t.Error("got no facts; want the commands")
	}
}
