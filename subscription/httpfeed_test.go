package subscription_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/subscription"
)

func TestHTTPFeedWeather(t *testing.T) {
	svc := weatherService(t)
	f := weatherFeed(t, svc.URL)
	opts, err := subscription.Check(f, map[string]string{"city": "Bad Homburg"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := f.Render(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(reply.Attachments) != 1 || reply.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("got %+v; want one Adaptive Card", reply)
	}
	var card struct {
		Body []struct {
			Text  string `json:"text"`
			Facts []struct{ Title, Value string }
		} `json:"body"`
	}
	if err := json.Unmarshal(reply.Attachments[0].Content, &card); err != nil {
		t.Fatal(err)
	}
	if got := card.Body[0].Text; got != "Tomorrow in Bad Homburg" {
		t.Errorf("heading: got %q; want Tomorrow in Bad Homburg", got)
	}
	if got := card.Body[1].Facts[1].Value; got != "14°C" {
		t.Errorf("high: got %q; want 14°C", got)
	}
	if reply.Summary != "Tomorrow in Bad Homburg: 14°C" {
		t.Errorf("summary: got %q", reply.Summary)
	}
}

func TestHTTPFeedEscapesOptions(t *testing.T) {
	var got string
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RawQuery
		w.Write([]byte(`{"ok": true}`))
	}))
	defer svc.Close()
	f, err := subscription.NewHTTPFeed(subscription.HTTPFeedConfig{
		Name: "q", URL: svc.URL + "/?q={{.q}}", Template: "ok: {{.Data.ok}}",
		Options: []subscription.Option{{Name: "q"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := f.Render(context.Background(), map[string]string{"q": "a&admin=1 b"})
	if err != nil {
		t.Fatal(err)
	}
	if got != "q=a%26admin%3D1%20b" {
		t.Errorf("query: got %q; want the option escaped", got)
	}
	if reply.Text != "ok: true" || len(reply.Attachments) != 0 {
		t.Errorf("markdown reply: got %+v; want text ok: true", reply)
	}
}

func TestHTTPFeedFailures(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"a": 1}`)) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`"` + strings.Repeat("x", 2000) + `"`)) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusServiceUnavailable) })
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`<html>`)) })
	mux.HandleFunc("/notcard", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"a": 1}`)) })
	svc := httptest.NewServer(mux)
	defer svc.Close()
	tests := []struct {
		path, template, want string
	}{
		{"/redirect", "{{.Data}}", "302 Found"},
		{"/big", "{{.Data}}", "larger than 1000 bytes"},
		{"/slow", "{{.Data}}", "deadline exceeded"},
		{"/down", "{{.Data}}", "503"},
		{"/html", "{{.Data}}", "not JSON"},
		{"/notcard", `{"a": {{.Data.a}}}`, "not an Adaptive Card"},
		{"/notcard", `{"type": "AdaptiveCard",`, "not JSON"},
		{"/ok", `{{if false}}x{{end}}`, "rendered nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f, err := subscription.NewHTTPFeed(subscription.HTTPFeedConfig{
				Name: "f", URL: svc.URL + tt.path + "?key=sekrit", Template: tt.template,
				Timeout: 200 * time.Millisecond, MaxBody: 1000,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.Render(context.Background(), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "sekrit") {
				t.Errorf("the error quotes the URL: %v", err)
			}
		})
	}
}

func TestNewHTTPFeedErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  subscription.HTTPFeedConfig
		want string
	}{
		{"no name", subscription.HTTPFeedConfig{URL: "https://x", Template: "x"}, "name is required"},
		{"no url", subscription.HTTPFeedConfig{Name: "f", Template: "x"}, "url and template"},
		{"relative url", subscription.HTTPFeedConfig{Name: "f", URL: "/x", Template: "x"}, "absolute http"},
		{"file url", subscription.HTTPFeedConfig{Name: "f", URL: "file:///etc/passwd", Template: "x"}, "absolute http"},
		{"bad template", subscription.HTTPFeedConfig{Name: "f", URL: "https://x", Template: "{{"}, "template"},
		{"bad option type", subscription.HTTPFeedConfig{Name: "f", URL: "https://x", Template: "x", Options: []subscription.Option{{Name: "n", Type: "float"}}}, "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := subscription.NewHTTPFeed(tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error with %q", err, tt.want)
			}
		})
	}
}

func TestCheckOptions(t *testing.T) {
	f := weatherFeed(t, "http://127.0.0.1:1")
	tests := []struct {
		in   map[string]string
		want string // the units, or an error fragment
	}{
		{map[string]string{"city": "Oslo"}, "metric"},
		{map[string]string{"city": "Oslo", "units": "imperial"}, "imperial"},
		{map[string]string{}, "needs --opt city"},
		{map[string]string{"city": "Oslo", "colour": "red"}, `no option "colour"`},
		{map[string]string{"city": "Oslo", "units": "kelvin"}, "use one of metric, imperial"},
		{map[string]string{"city": strings.Repeat("x", 201)}, "at most 200"},
	}
	for _, tt := range tests {
		got, err := subscription.Check(f, tt.in)
		switch {
		case err != nil && !strings.Contains(err.Error(), tt.want):
			t.Errorf("%v: got %v; want %q", tt.in, err, tt.want)
		case err == nil && got["units"] != tt.want:
			t.Errorf("%v: got %v; want units %s", tt.in, got, tt.want)
		}
	}
}
