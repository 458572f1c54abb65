package bot_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
)

// FuzzServe posts arbitrary, correctly signed bodies through the Echo
// handler: whatever Teams (or a token holder) sends, the answer is a 200
// with a valid message or a 400/413 with a JSON error — never a 500, a
// panic or a hang.
//
//	go test -run '^$' -fuzz FuzzServe -fuzztime 60s -fuzzminimizetime 2s ./bot
func FuzzServe(f *testing.F) {
	for _, name := range fixtures {
		data, err := readFixture(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"type":"message","text":null,"entities":[{"type":"mention","mentioned":null}]}`))
	f.Add([]byte(`{"type":"message","attachments":[{"contentType":"text/html","content":{"not":"a string"}}]}`))

	token := bot.NewToken()
	b, err := bot.New(bot.Config{Secrets: []string{token}, BodyLimit: 64 << 10, Handler: bot.HandlerFunc(func(c *bot.Context) error {
		a := c.Activity
		_, _ = a.HTML()
		_ = a.Mentions()
		return c.Textf("%s|%s|%s|%s|%s", a.Team(), a.Channel(), a.Thread(), a.Tenant(), a.ClientInfo().Platform)
	})})
	if err != nil {
		f.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")

	f.Fuzz(func(t *testing.T, body []byte) {
		sig, _ := bot.Sign(token, body)
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set("Authorization", sig)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var r struct{ Type, Text string }
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || r.Type != "message" || r.Text == "" {
				t.Fatalf("200 with %q", rec.Body)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			var r struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || r.Error == "" {
				t.Fatalf("%d with %q", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}
