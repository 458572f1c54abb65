package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeCI answers like the CI API, on 127.0.0.1.
func fakeCI(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /builds", func(w http.ResponseWriter, r *http.Request) {
		all := []build{{42, "main", "passed", ""}, {41, "fix/login", "failed", ""}, {40, "main", "passed", ""}}
		n := min(len(all), atoi(r.URL.Query().Get("limit")))
		json.NewEncoder(w).Encode(all[:n])
	})
	mux.HandleFunc("POST /builds/{id}/rebuild", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(build{ID: 43, Branch: "fix/login", Status: "passed"})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func atoi(s string) (n int) {
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// serve loads the plugin with its settings, as outhook serve does, and
// serves it behind a real bot with a follow-up recorder.
func serve(t *testing.T, ciURL string) (*bottest.Server, *bottest.FollowUps) {
	t.Helper()
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs:      []string{"builds"},
		Settings: map[string]map[string]any{"builds": {"ci": ciURL, "timeout": "2s"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Cleanup() })
	r := router.New()
	set.Install(r)
	out := bottest.NewFollowUps()
	s := bottest.NewServer(bot.Config{Handler: r, FollowUps: out, Budget: time.Second})
	t.Cleanup(s.Close)
	return s, out
}

func TestBuilds(t *testing.T) {
	s, _ := serve(t, fakeCI(t).URL)
	tests := []struct {
		text string
		want []string // in the rendered reply
	}{
		{"builds 2", []string{"Latest 2 builds", "#42   | main      | passed", "#41   | fix/login | failed"}},
		{"builds", []string{"Latest 3 builds"}},
		{"builds 99", []string{"count must be a number from 1 to 20, not `99`"}},
		{"builds two", []string{"not `two`"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r, err := s.Say(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if r.Command != "builds" {
				t.Errorf("got command %q; want builds", r.Command)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.String(), w) {
					t.Errorf("got\n%s\nwant it to contain %q", r, w)
				}
			}
		})
	}
}

func TestBuildsCard(t *testing.T) {
	ci := fakeCI(t)
	s, _ := serve(t, ci.URL)
	r, err := s.Say("builds 2")
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Adaptive()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Texts()[0]; got != "Latest 2 builds" {
		t.Errorf("got heading %q; want %q", got, "Latest 2 builds")
	}
	if got := c.Links()["Open the CI"]; got != ci.URL {
		t.Errorf("got link %q; want %q", got, ci.URL)
	}
	// The whole card, with the CI's address (a new port each run) fixed.
	data, err := r.Reply.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	bottest.Golden(t, "testdata/builds.golden.json", bytes.ReplaceAll(data, []byte(ci.URL), []byte("http://ci.test")))
}

func TestRebuildFollowUp(t *testing.T) {
	s, out := serve(t, fakeCI(t).URL)
	ack, err := s.Say("rebuild #41")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ack.Text, "Rebuilding #41. (job ") {
		t.Errorf("got %q; want the acknowledgement with the job id", ack.Text)
	}
	f, err := out.Next(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Build #43 (rebuild of #41 on fix/login): **passed**"; f.Reply.Text != want || f.Line != "rebuild #41" {
		t.Errorf("got %q for %q; want %q for %q", f.Reply.Text, f.Line, want, "rebuild #41")
	}
}

func TestSettings(t *testing.T) {
	_, err := plugins.Load(context.Background(), plugins.Options{
		IDs: []string{"builds"}, Settings: map[string]map[string]any{"builds": {"ci": "ci.example.com"}},
	})
	if want := `plugin "builds": settings: ci: "ci.example.com" is not an absolute http(s) URL`; err == nil || err.Error() != want {
		t.Errorf("got %v; want %q", err, want)
	}
}
