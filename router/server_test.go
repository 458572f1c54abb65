package router_test

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/router"
)

// TestThroughServer posts the fixtures, signed as Teams signs them, to a
// real Echo server running a Bot with the router.
func TestThroughServer(t *testing.T) {
	type deployArgs struct {
		Service string        `arg:""`
		Env     string        `arg:""`
		Reason  string        `short:"r" required:""`
		CC      router.Person `arg:""`
	}
	r := newRouter()
	r.Add(&router.Command{Name: "ship", Aliases: []string{"hello"}, Args: deployArgs{}, Handler: func(c *router.Context) error {
		a := c.Parsed.(*deployArgs)
		return c.Textf("%s/%s/%s/%s/%s", a.Service, a.Env, a.Reason, a.CC.Name, c.Thread())
	}})
	token := bot.NewToken()
	b, err := bot.New(bot.Config{Secrets: []string{token}, Handler: r})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	srv := httptest.NewServer(e)
	defer srv.Close()

	tests := []struct{ file, replace, want string }{
		{"channel-ping.json", "", "pong"},
		{"thread-deploy.json", "deploy web", "web/staging eu/fix #4711 & rollback/Ana Lima/1764330000123"},
		{"docs-example.json", "", "Missing argument `<env>`."},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if tt.replace != "" {
				body = []byte(strings.ReplaceAll(string(body), tt.replace, "ship web"))
			}
			rep, err := bottest.Post(srv.Client(), srv.URL+"/webhook", token, body)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(rep.Text, tt.want) {
				t.Errorf("got %q; want it to start with %q", rep.Text, tt.want)
			}
		})
	}
}
