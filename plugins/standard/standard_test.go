package standard_test

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.uber.org/goleak"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/standard"
	"github.com/outhook/outhook/router"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve runs the standard plugins behind a real bot on loopback.
func serve(t *testing.T) (url, token string, srv *httptest.Server) {
	t.Helper()
	r := router.New()
	if err := plugins.Install(r); err != nil {
		t.Fatal(err)
	}
	token = bot.NewToken()
	b, err := bot.New(bot.Config{Secrets: []string{token}, Handler: r})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	srv = httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL + "/webhook", token, srv
}

func TestStandardPlugins(t *testing.T) {
	url, token, srv := serve(t)
	ping, err := os.ReadFile("testdata/channel-ping.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		body []byte
		want []string
	}{
		{"ping fixture", ping, []string{"pong ("}},
		{"echo joins with one space", bottest.Message{Text: `echo  a   "b  c"  d`}.JSON(), []string{"a b  c d"}},
		{"echo keeps characters", bottest.Message{Text: `echo Grüße <tag> & 'quoted' #42 C# 👋`}.JSON(), []string{"Grüße <tag> & quoted #42 C# 👋"}},
		{"echo curly quotes", bottest.Message{Text: "echo “two words” ‘x y’"}.JSON(), []string{"two words x y"}},
		{"alias, any case", bottest.Message{Text: "SAY hi"}.JSON(), []string{"hi"}},
		{"whoami", bottest.Message{Text: "whoami", From: bot.Account{ID: "29:abc", Name: "Zoë Müller", AADObjectID: "aad-1"}}.JSON(),
			[]string{"Zoë Müller", "aad-1", "29:abc", bottest.DefaultTeam, bottest.DefaultChannel, bottest.DefaultTenant}},
		{"help lists", bottest.Message{Text: "help"}.JSON(), []string{"[Adaptive Card]", "echo:", "help:", "ping:", "whoami:"}},
		{"help lists as text", bottest.Message{Text: "help --text"}.JSON(), []string{"**echo**", "**help**", "**ping**", "**whoami**"}},
		{"help command", bottest.Message{Text: "help echo"}.JSON(), []string{"echo <text…>", "Also: say"}},
		{"unknown", bottest.Message{Text: "deploy prod"}.JSON(), []string{"`deploy`", "help"}},
		{"empty", bottest.Message{Text: ""}.JSON(), []string{"help"}},
		{"unbalanced quote", bottest.Message{Text: `echo "oops`}.JSON(), []string{"quote is not closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := bottest.Post(srv.Client(), url, token, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if got := r.Text + "\n" + card.Render(r); !strings.Contains(got, w) {
					t.Errorf("got %q; want it to contain %q", got, w)
				}
			}
		})
	}
}
