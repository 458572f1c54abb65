package bot_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/standard"
	"github.com/outhook/outhook/router"
)

// The two benchmarks below run the same signed 1.7 KB activity
// (testdata/channel-ping.json, "@Bot ping") through an Echo app in memory.
// Compare them in one run:
//
//	go test -run '^$' -bench 'Webhook' -benchmem -count 6 ./bot | tee bench.txt
//
// BenchmarkWebhookBaseline does only what any Teams webhook must: Echo,
// HMAC-SHA256 of the raw body, encoding/json decode into a struct and a
// JSON reply. BenchmarkWebhookOuthook is the whole outhook path: bounded
// read, verification, decoding, the five-second contract, command parsing
// and routing to the ping plugin, the request log line (JSON, to a discard
// writer, at info level) and the reply.

func benchRequest(b *testing.B, body []byte, auth string) func() *http.Request {
	return func() *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", auth)
		return req
	}
}

func benchBody(b *testing.B) ([]byte, string, string) {
	data, err := readFixture("channel-ping.json")
	if err != nil {
		b.Fatal(err)
	}
	token := bot.NewToken()
	sig, _ := bot.Sign(token, data)
	return data, token, sig
}

func BenchmarkWebhookBaseline(b *testing.B) {
	body, token, sig := benchBody(b)
	key, _ := base64.StdEncoding.DecodeString(token)
	e := echo.New()
	e.POST("/webhook", func(c echo.Context) error {
		data, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return c.NoContent(http.StatusBadRequest)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write(data)
		want := "HMAC " + base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(want), []byte(c.Request().Header.Get("Authorization"))) {
			return c.NoContent(http.StatusUnauthorized)
		}
		var a bot.Activity
		if err := json.Unmarshal(data, &a); err != nil {
			return c.NoContent(http.StatusBadRequest)
		}
		return c.JSON(http.StatusOK, map[string]string{"type": "message", "text": "pong"})
	})
	runBench(b, e, benchRequest(b, body, sig))
}

func BenchmarkWebhookOuthook(b *testing.B) {
	body, token, sig := benchBody(b)
	r := router.New()
	if err := plugins.Install(r); err != nil {
		b.Fatal(err)
	}
	bt, err := bot.New(bot.Config{Secrets: []string{token}, Handler: r, Logger: zerolog.New(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	bt.Mount(e, "/webhook")
	runBench(b, e, benchRequest(b, body, sig))
}

func runBench(b *testing.B, e *echo.Echo, newReq func() *http.Request) {
	// One request outside the loop proves the path answers "pong".
	w := httptest.NewRecorder()
	e.ServeHTTP(w, newReq())
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "pong") {
		b.Fatalf("got %d %s; want 200 pong", w.Code, w.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, newReq())
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
