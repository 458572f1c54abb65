package bot_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu         sync.Mutex
	rejections []bot.Rejection
	answers    []bot.Answer
}

func (r *recorder) Rejected(x bot.Rejection) {
	r.mu.Lock()
	r.rejections = append(r.rejections, x)
	r.mu.Unlock()
}
func (r *recorder) Answered(a bot.Answer) {
	r.mu.Lock()
	r.answers = append(r.answers, a)
	r.mu.Unlock()
}

func TestObserver(t *testing.T) {
	token := bot.NewToken()
	handler := bot.HandlerFunc(func(c *bot.Context) error {
		text := c.Activity.Text
		switch {
		case strings.Contains(text, "ok"):
			c.SetCommand("ok")
			return c.Text("fine")
		case strings.Contains(text, "user"):
			c.SetCommand("user")
			return bot.UserError("no such thing")
		case strings.Contains(text, "fail"):
			c.SetCommand("fail")
			return errors.New("boom")
		case strings.Contains(text, "slow"):
			// Overrun the budget for sure. No SetCommand here: on timeout
			// the bot reads the command on another goroutine.
			time.Sleep(300 * time.Millisecond)
			return c.Text("too late")
		}
		return c.Text("?")
	})
	rec := &recorder{}
	b, err := bot.New(bot.Config{Secrets: []string{token}, Handler: handler, Budget: 100 * time.Millisecond,
		BodyLimit: 4096, Observer: rec})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/hook")
	srv := httptest.NewServer(e)
	defer srv.Close()

	post := func(token string, body []byte) int {
		req, err := bottest.NewRequest(srv.URL+"/hook", token, body)
		if err != nil {
			t.Fatal(err)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	msg := func(text string) []byte { return bottest.Message{Text: text}.JSON() }

	tests := []struct {
		name     string
		token    string
		body     []byte
		status   int
		rejected *bot.Rejection
		answered *bot.Answer
	}{
		{"ok", token, msg("ok"), 200, nil, &bot.Answer{Command: "ok", Outcome: bot.OutcomeOK}},
		{"user error", token, msg("user"), 200, nil, &bot.Answer{Command: "user", Outcome: bot.OutcomeUserError}},
		{"error", token, msg("fail"), 200, nil, &bot.Answer{Command: "fail", Outcome: bot.OutcomeError}},
		{"timeout", token, msg("slow"), 200, nil, &bot.Answer{Command: "", Outcome: bot.OutcomeTimeout}},
		{"wrong token", bot.NewToken(), msg("ok"), 401, &bot.Rejection{Status: 401, Reason: bot.RejectSignature}, nil},
		{"too large", token, []byte(strings.Repeat("x", 5000)), 413, &bot.Rejection{Status: 413, Reason: bot.RejectTooLarge}, nil},
		{"not an activity", token, []byte(`[1,2]`), 400, &bot.Rejection{Status: 400, Reason: bot.RejectMalformed}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.mu.Lock()
			rec.answers, rec.rejections = nil, nil
			rec.mu.Unlock()
			if got := post(tt.token, tt.body); got != tt.status {
				t.Fatalf("got status %d; want %d", got, tt.status)
			}
			// The observer hears of an answer just after the client has it
			// (a timeout answer is written while the handler still runs):
			// wait for the record, and for the request to end.
			deadline := time.Now().Add(2 * time.Second)
			for {
				rec.mu.Lock()
				n := len(rec.answers) + len(rec.rejections)
				rec.mu.Unlock()
				if n > 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			switch {
			case tt.rejected != nil:
				if len(rec.rejections) != 1 || rec.rejections[0] != *tt.rejected || len(rec.answers) != 0 {
					t.Errorf("got rejections %v, answers %v; want one rejection %v", rec.rejections, rec.answers, *tt.rejected)
				}
			case tt.answered != nil:
				if len(rec.answers) != 1 || len(rec.rejections) != 0 {
					t.Fatalf("got answers %v, rejections %v; want one answer", rec.answers, rec.rejections)
				}
				got := rec.answers[0]
				if got.Command != tt.answered.Command || got.Outcome != tt.answered.Outcome || got.Latency <= 0 {
					t.Errorf("got %+v; want %+v with a latency", got, *tt.answered)
				}
			}
		})
	}
}

func ExampleObserverFuncs() {
	token := bot.NewToken()
	b, err := bot.New(bot.Config{
		Secrets: []string{token},
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			c.SetCommand("hello")
			return c.Text("hi")
		}),
		// A metrics package would count these; OnRejected works the same.
		Observer: bot.ObserverFuncs{
			OnAnswered: func(a bot.Answer) { fmt.Println("answered:", a.Command, a.Outcome) },
		},
	})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	b.Mount(e, "/hook")
	req, _ := bottest.NewRequest("/hook", token, bottest.Message{Text: "hello"}.JSON())
	e.ServeHTTP(httptest.NewRecorder(), req)
	// Output: answered: hello ok
}
