package middleware_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/middleware"
)

func TestHMAC(t *testing.T) {
	token := bot.NewToken()
	e := echo.New()
	g := e.Group("/hooks", middleware.HMACWithConfig(middleware.HMACConfig{
		Secrets:   []string{token},
		BodyLimit: 64,
		Skipper:   func(c echo.Context) bool { return c.Request().URL.Path == "/hooks/open" },
	}))
	// The next handler sees the body the signature covered.
	g.POST("/in", func(c echo.Context) error {
		data, _ := io.ReadAll(c.Request().Body)
		return c.String(http.StatusOK, "got "+string(data))
	})
	g.POST("/open", func(c echo.Context) error { return c.String(http.StatusOK, "open") })
	srv := httptest.NewServer(e)
	defer srv.Close()

	sign := func(body string) string { s, _ := bot.Sign(token, []byte(body)); return s }
	tests := []struct {
		name, path, body, auth string
		status                 int
		want                   string
	}{
		{"signed", "/hooks/in", "hello", sign("hello"), 200, "got hello"},
		{"unsigned", "/hooks/in", "hello", "", 401, "missing HMAC signature"},
		{"wrong", "/hooks/in", "hello", sign("other"), 401, "signature does not match"},
		{"too large", "/hooks/in", strings.Repeat("x", 65), sign(strings.Repeat("x", 65)), 413, "too large"},
		{"skipped", "/hooks/open", "hello", "", 200, "open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+tt.path, bytes.NewBufferString(tt.body))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(data), tt.want) {
				t.Errorf("got %d %q; want %d %q", resp.StatusCode, data, tt.status, tt.want)
			}
		})
	}
}

func TestHMACPanicsOnBadToken(t *testing.T) {
	defer func() {
		p := recover()
		if p == nil || !strings.Contains(p.(string), "middleware: HMAC: security token 1 of 1") {
			t.Errorf("panic %v; want a wiring panic naming the token position", p)
		}
	}()
	middleware.HMAC("not base64!")
}

func ExampleHMAC() {
	token := bot.NewToken()
	e := echo.New()
	// Routes of your own that only Teams (or whoever holds the token) may call.
	g := e.Group("/teams", middleware.HMAC(token))
	g.POST("/notify", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })

	body := []byte(`{"type":"message"}`)
	sig, _ := bot.Sign(token, body)
	req := httptest.NewRequest(http.MethodPost, "/teams/notify", bytes.NewReader(body))
	req.Header.Set("Authorization", sig)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output: 204
}
