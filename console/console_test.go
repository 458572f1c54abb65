package console_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/console"
)

// result is what SendPath answers.
type result struct {
	Status    int             `json:"status"`
	ElapsedMS float64         `json:"elapsedMs"`
	BudgetMS  int64           `json:"budgetMs"`
	Activity  bot.Activity    `json:"activity"`
	Reply     json.RawMessage `json:"reply"`
	Body      string          `json:"body"`
	Error     string          `json:"error"`
}

// echoBot answers with who asked from where, as the bot decoded it.
func echoBot(t *testing.T) *bottest.Server {
	s := bottest.NewServer(bot.Config{Handler: bot.HandlerFunc(func(c *bot.Context) error {
		a := c.Activity
		return c.Textf("%s|%s|%s|%s|%s|%s", a.Text, a.From.Name, a.From.AADObjectID, a.Team(), a.Channel(), a.Tenant())
	})})
	t.Cleanup(s.Close)
	return s
}

func serve(t *testing.T, cfg console.Config) (*console.Console, *httptest.Server) {
	t.Helper()
	c, err := console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(func() { c.Close(); srv.Close() })
	return c, srv
}

func post(t *testing.T, url, contentType, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func TestNewChecksConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  console.Config
	}{
		{"no URL", console.Config{Token: bot.NewToken()}},
		{"not http", console.Config{BotURL: "ftp://127.0.0.1/x", Token: bot.NewToken()}},
		{"no host", console.Config{BotURL: "http:///webhook", Token: bot.NewToken()}},
		{"no token", console.Config{BotURL: "http://127.0.0.1:1/webhook"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := console.New(tc.cfg); err == nil {
				t.Error("got no error; want one")
			}
		})
	}
}

func TestSendSignsAsTeams(t *testing.T) {
	b := echoBot(t)
	_, srv := serve(t, console.Config{BotURL: b.URL, Token: b.Token, BotName: "Ops"})
	for _, tc := range []struct {
		name, body string
		want       string // the bot's reply text
	}{
		{"defaults", `{"text":"deploy web"}`,
			"<at>Ops</at>&nbsp;deploy web\n|Ada Lovelace|6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f|" + bottest.DefaultTeam + "|" + bottest.DefaultChannel + "|" + bottest.DefaultTenant},
		{"picked asker and place", `{"text":" whoami ","name":"Alice","aadObjectId":"alice-aad","team":"19:t","channel":"19:c","tenant":"tn"}`,
			"<at>Ops</at>&nbsp;whoami\n|Alice|alice-aad|19:t|19:c|tn"},
		{"escaped like Teams", `{"text":"echo <b>&"}`, "<at>Ops</at>&nbsp;echo &lt;b&gt;&amp;\n|Ada Lovelace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, data := post(t, srv.URL+console.SendPath, "application/json", tc.body)
			if status != http.StatusOK {
				t.Fatalf("got %d %s; want 200", status, data)
			}
			var res result
			if err := json.Unmarshal(data, &res); err != nil {
				t.Fatal(err)
			}
			var reply bot.Reply
			if err := json.Unmarshal(res.Reply, &reply); err != nil {
				t.Fatal(err)
			}
			if res.Status != http.StatusOK || !strings.HasPrefix(reply.Text, tc.want) {
				t.Errorf("got %d %q; want 200 %q", res.Status, reply.Text, tc.want)
			}
			if res.Activity.Type != "message" || res.Activity.Text == "" || res.BudgetMS != 5000 || res.ElapsedMS <= 0 {
				t.Errorf("got activity %q %q, budget %d, elapsed %v; want the activity sent and the time against 5000 ms",
					res.Activity.Type, res.Activity.Text, res.BudgetMS, res.ElapsedMS)
			}
		})
	}
}

func TestSendReportsTheBotsRefusal(t *testing.T) {
	b := echoBot(t)
	_, srv := serve(t, console.Config{BotURL: b.URL, Token: bot.NewToken()}) // not the bot's
	status, data := post(t, srv.URL+console.SendPath, "application/json", `{"text":"ping"}`)
	var res result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK || res.Status != http.StatusUnauthorized {
		t.Errorf("got %d with the bot's %d; want 200 with the bot's 401", status, res.Status)
	}
}

func TestSendBotDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	token := bot.NewToken()
	_, srv := serve(t, console.Config{BotURL: dead.URL + "/webhook", Token: token})
	status, data := post(t, srv.URL+console.SendPath, "application/json", `{"text":"ping"}`)
	var res result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if status != http.StatusBadGateway || res.Error == "" || len(res.Activity.Text) == 0 {
		t.Errorf("got %d %+v; want 502 with an error and the activity", status, res)
	}
	if bytes.Contains(data, []byte(token)) {
		t.Error("the answer holds the token")
	}
}

func TestBadRequests(t *testing.T) {
	b := echoBot(t)
	_, srv := serve(t, console.Config{BotURL: b.URL, Token: b.Token})
	big := `{"text":"` + strings.Repeat("a", 70<<10) + `"}`
	card := `{"type":"message","attachments":[{"contentType":"` + incoming.AdaptiveCard + `","content":{"type":"AdaptiveCard"}}]}`
	for _, tc := range []struct {
		name, method, path, host, contentType, body string
		want                                        int
	}{
		{"send: not JSON", "POST", console.SendPath, "", "application/json", `{`, 400},
		{"send: no text", "POST", console.SendPath, "", "application/json", `{"name":"x"}`, 400},
		{"send: blank text", "POST", console.SendPath, "", "application/json", `{"text":"  "}`, 400},
		{"send: text not a string", "POST", console.SendPath, "", "application/json", `{"text":1}`, 400},
		{"send: two objects", "POST", console.SendPath, "", "application/json", `{"text":"a"}{}`, 400},
		{"send: too long", "POST", console.SendPath, "", "application/json", big, 400},
		{"send: long name", "POST", console.SendPath, "", "application/json", `{"text":"a","name":"` + strings.Repeat("n", 600) + `"}`, 400},
		{"send: form post", "POST", console.SendPath, "", "text/plain", `{"text":"ping"}`, 415},
		{"send: GET", "GET", console.SendPath, "", "", "", 405},
		{"send: foreign host", "POST", console.SendPath, "evil.example:80", "application/json", `{"text":"ping"}`, 403},
		{"incoming: not JSON", "POST", console.IncomingPath, "", "application/json", `nope`, 400},
		{"incoming: empty", "POST", console.IncomingPath, "", "application/json", ``, 400},
		{"incoming: array", "POST", console.IncomingPath, "", "application/json", `[]`, 400},
		{"incoming: other type", "POST", console.IncomingPath, "", "application/json", `{"type":"event"}`, 400},
		{"incoming: no attachments", "POST", console.IncomingPath, "", "application/json", `{"type":"message"}`, 400},
		{"incoming: attachments not cards", "POST", console.IncomingPath, "", "application/json", `{"type":"message","attachments":[1]}`, 400},
		{"incoming: content not an object", "POST", console.IncomingPath, "", "application/json", `{"type":"message","attachments":[{"contentType":"x","content":"s"}]}`, 400},
		{"incoming: type not a string", "POST", console.IncomingPath, "", "application/json", `{"type":1}`, 400},
		{"incoming: @type not a string", "POST", console.IncomingPath, "", "application/json", `{"@type":[]}`, 400},
		{"incoming: too large", "POST", console.IncomingPath, "", "application/json", `{"@type":"MessageCard","text":"` + strings.Repeat("a", 300<<10) + `"}`, 413},
		{"incoming: text/plain", "POST", console.IncomingPath, "", "text/plain", card, 415},
		{"incoming: GET", "GET", console.IncomingPath, "", "", "", 405},
		{"incoming: workflows", "POST", console.IncomingPath, "", "application/json; charset=utf-8", card, 202},
		{"incoming: connector", "POST", console.ConnectorPath, "", "application/json", `{"@type":"MessageCard","text":"hi"}`, 200},
		{"page", "GET", "/", "", "", "", 200},
		{"page elsewhere", "GET", "/nope", "", "", "", 404},
		{"page: localhost", "GET", "/", "localhost:1234", "", "", 200},
		{"page: foreign host", "GET", "/", "attacker.example", "", "", 403},
		{"asset", "GET", "/assets/vendor/adaptivecards.min.js", "", "", "", 200},
		{"defaults", "GET", "/api/defaults", "", "", "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			req.RequestURI = ""
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("got %d %.200s; want %d", resp.StatusCode, body, tc.want)
			}
		})
	}
}

// events reads the console's event stream.
func events(t *testing.T, url string) *bufio.Reader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+console.EventsPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("got %q; want text/event-stream", ct)
	}
	r := bufio.NewReader(resp.Body)
	for { // up to the "connected" comment: subscribed from then on
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, ": connected") {
			return r
		}
	}
}

// next returns the data of the next event, or "" when the stream ends.
func next(r *bufio.Reader) (event, data string) {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return event, data
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && data != "":
			return event, data
		}
	}
}

// TestIncomingFromSender: what bot/incoming posts, to either kind of URL,
// is accepted as that kind expects and reaches the page's event stream.
func TestIncomingFromSender(t *testing.T) {
	b := echoBot(t)
	c, srv := serve(t, console.Config{BotURL: b.URL, Token: b.Token})
	stream := events(t, srv.URL)
	asker := bot.Account{ID: "29:ada", Name: "Ada Lovelace", AADObjectID: "ada-aad"}
	for _, tc := range []struct {
		path string
		kind incoming.Kind
		want string
	}{
		{console.IncomingPath, incoming.Workflows, "workflows"},
		{console.ConnectorPath, incoming.Connector, "connector"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			s, err := incoming.New(srv.URL+tc.path, incoming.Config{Kind: tc.kind, MaxAttempts: 1})
			if err != nil {
				t.Fatal(err)
			}
			f := &bot.FollowUp{Asker: asker, Line: "deploy web", Reply: bot.Text("deployed **web**")}
			if err := s.Post(context.Background(), f); err != nil {
				t.Fatalf("got %v; want the console to accept it as a %s webhook", err, tc.want)
			}
			event, data := next(stream)
			var got struct {
				Kind    string          `json:"kind"`
				Payload json.RawMessage `json:"payload"`
			}
			if err := json.Unmarshal([]byte(data), &got); err != nil {
				t.Fatal(err)
			}
			if event != "followup" || got.Kind != tc.want || !bytes.Contains(got.Payload, []byte("deployed **web**")) {
				t.Errorf("got %s %s %s; want a %s follow-up with the result", event, got.Kind, got.Payload, tc.want)
			}
		})
	}
	c.Close()
	if _, data := next(stream); data != "" {
		t.Errorf("got %q after Close; want the stream to end", data)
	}
	if status, _ := func() (int, error) {
		resp, err := http.Get(srv.URL + console.EventsPath)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}(); status != http.StatusServiceUnavailable {
		t.Errorf("got %d for a stream after Close; want 503", status)
	}
}

func FuzzIncoming(f *testing.F) {
	f.Add(`{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{}}]}`)
	f.Add(`{"@type":"MessageCard","text":"x"}`)
	f.Add(`{"type":"message","attachments":null}`)
	f.Add(`{"@type":null,"type":"message"}`)
	c, err := console.New(console.Config{BotURL: "http://127.0.0.1:1/webhook", Token: bot.NewToken()})
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{console.IncomingPath, console.SendPath} {
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			if path == console.SendPath {
				// The bot at 127.0.0.1:1 is down: a valid request gets 502.
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				req = req.WithContext(ctx)
				defer cancel()
			}
			c.ServeHTTP(rec, req)
			if rec.Code >= 500 && rec.Code != http.StatusBadGateway {
				t.Errorf("%s: got %d for %q; want 2xx or 4xx", path, rec.Code, body)
			}
		}
	})
}
