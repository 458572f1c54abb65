package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/help"
	"github.com/outhook/outhook/router"
)

// -update is read by bottest.Golden through the flag package.
var _ = flag.Bool("update", false, "rewrite the golden files in testdata")

var ana = bot.Account{ID: "29:ana", Name: "Ana Lima", AADObjectID: "aad-ana"}

// fakeCI answers like the CI API, on 127.0.0.1. A rebuild runs until it
// has been asked about polls times.
func fakeCI(t *testing.T, polls int32) *httptest.Server {
	all := []build{
		{42, "main", "passed", "Ana Lima"},
		{41, "fix/login", "failed", "Grace Hopper"},
		{40, "main", "passed", "Grace Hopper"},
		{39, "main", "failed", "Ana Lima"},
	}
	var asked atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("GET /builds", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var out []build
		for _, b := range all {
			if (q.Get("branch") == "" || q.Get("branch") == b.Branch) &&
				(q.Get("status") == "" || q.Get("status") == b.Status) &&
				(q.Get("requested_by") == "" || q.Get("requested_by") == b.By) {
				out = append(out, b)
			}
		}
		n, _ := strconv.Atoi(q.Get("limit"))
		json.NewEncoder(w).Encode(out[:min(len(out), n)])
	})
	mux.HandleFunc("POST /builds/{id}/rebuild", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(build{ID: 43, Branch: "fix/login", Status: "running"})
	})
	mux.HandleFunc("GET /builds/43", func(w http.ResponseWriter, r *http.Request) {
		status := "passed"
		if asked.Add(1) < polls {
			status = "running"
		}
		json.NewEncoder(w).Encode(build{ID: 43, Branch: "fix/login", Status: status})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// serve loads the plugin with its settings, and help, as outhook serve
// does, and serves them behind a real bot with a follow-up recorder.
func serve(t *testing.T, ciURL string) (*bottest.Server, *bottest.FollowUps) {
	t.Helper()
	set, err := plugins.Load(context.Background(), plugins.Options{
		IDs:      []string{"help", "builds"},
		Settings: map[string]map[string]any{"builds": {"ci": ciURL, "timeout": "2s", "poll": "10ms"}},
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
	s, _ := serve(t, fakeCI(t, 1).URL)
	tests := []struct {
		msg  bottest.Message
		want []string // in the rendered reply
	}{
		{bottest.Message{Text: "builds 2"}, []string{"Latest 2 builds", "#42   | main      | passed | Ana Lima", "#41   | fix/login | failed | Grace Hopper"}},
		{bottest.Message{Text: "builds"}, []string{"Latest 4 builds"}},
		{bottest.Message{Text: "Builds --status FAILED"}, []string{"Latest 2 builds", "#41", "#39"}},
		{bottest.Message{Text: "builds 1 -s passed -b main"}, []string{"Latest build", "#42"}},
		{bottest.Message{Text: "builds --by @Ana Lima", Mentions: []bot.Account{ana}}, []string{"Latest 2 builds", "#42", "#39"}},
		{bottest.Message{Text: "builds -b release"}, []string{"No builds match."}},
		// Usage errors: the problem, the usage line from the struct, a pointer to help.
		{bottest.Message{Text: "builds 99"}, []string{"`<count>` must be from 1 to 20, not `99`.", "Usage: `builds [<count>] [--branch=BRANCH] [--status=any|passed|failed|running] [--by=@PERSON]`", "Send `help builds` for details."}},
		{bottest.Message{Text: "builds two"}, []string{"`<count>` must be a whole number, not `two`.", "Usage: `builds [<count>]"}},
		{bottest.Message{Text: "builds --status broken"}, []string{"`--status` must be one of any, passed, failed, running, not `broken`.\n\n" +
			"Usage: `builds [<count>] [--branch=BRANCH] [--status=any|passed|failed|running] [--by=@PERSON]`\n\n" +
			"Send `help builds` for details."}},
		{bottest.Message{Text: "builds --stauts failed"}, []string{"Unknown flag `--stauts`; did you mean `--status`?"}},
		{bottest.Message{Text: "builds --by Ana"}, []string{"`--by` must be a mention: @mention the person instead of typing `Ana`."}},
	}
	for _, tt := range tests {
		t.Run(tt.msg.Text, func(t *testing.T) {
			r, err := s.Send(tt.msg)
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

// TestHelp checks that help describes the commands from their Args
// structs. It reads Reply.String, the text with any card rendered, so it
// holds whether help answers in text or with a card.
func TestHelp(t *testing.T) {
	s, _ := serve(t, fakeCI(t, 1).URL)
	tests := []struct {
		text string
		want []string
	}{
		{"help builds", []string{
			"builds [<count>] [--branch=BRANCH] [--status=any|passed|failed|running] [--by=@PERSON]",
			"number from 1 to 20; default 5. How many builds.",
			"Only builds of this branch.",
			"one of any, passed, failed, running",
			"Only builds this person started (@mention them).",
			"builds 10 --status failed",
		}},
		{"help rebuild", []string{
			"rebuild <build> [--wait=DURATION]",
			"The build to run again, such as #41.",
			"How long to wait for the result.",
			"10m",
		}},
		{"builds --help", []string{"builds [<count>]", "number from 1 to 20; default `5`): How many builds."}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r, err := s.Say(tt.text)
			if err != nil {
				t.Fatal(err)
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
	ci := fakeCI(t, 1)
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
	// A follow-up quotes the line as the router resolved it: canonical
	// flags, secrets redacted.
	tests := []struct {
		text  string
		polls int32 // until the fake CI says the rebuild ended
		want  string
		line  string
	}{
		{"rebuild #41", 3, "Build #43 (rebuild of #41 on fix/login): **passed**", "rebuild #41"},
		{"rebuild 41 --wait 1m", 1, "Build #43 (rebuild of #41 on fix/login): **passed**", "rebuild 41 --wait=1m"},
		{"rebuild #41 -w 50ms", 1 << 30, "Build #43 (rebuild of #41 on fix/login) is still running after 50ms.", "rebuild #41 --wait=50ms"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			s, out := serve(t, fakeCI(t, tt.polls).URL)
			ack, err := s.Say(tt.text)
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
			if f.Reply.Text != tt.want || f.Line != tt.line {
				t.Errorf("got %q for %q; want %q for %q", f.Reply.Text, f.Line, tt.want, tt.line)
			}
		})
	}
}

func TestRebuildUsage(t *testing.T) {
	s, out := serve(t, fakeCI(t, 1).URL)
	tests := []struct {
		text string
		want string
	}{
		{"rebuild", "Missing argument `<build>`.\n\nUsage: `rebuild <build> [--wait=DURATION]`\n\nSend `help rebuild` for details."},
		{"rebuild last", "`<build>`: `last`: not a build number such as #41.\n\nUsage: `rebuild <build> [--wait=DURATION]`\n\nSend `help rebuild` for details."},
		{"rebuild #41 --wait soon", "`--wait` must be a duration such as 90s, 5m or 1h30m, not `soon`.\n\nUsage: `rebuild <build> [--wait=DURATION]`\n\nSend `help rebuild` for details."},
		{"rebuild #41 --wait 0s", "`--wait` must be longer than 0s.\n\nUsage: `rebuild <build> [--wait=DURATION]`\n\nSend `help rebuild` for details."},
		{"rebuild #41 #42", "Unexpected argument `#42`.\n\nUsage: `rebuild <build> [--wait=DURATION]`\n\nSend `help rebuild` for details."},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r, err := s.Say(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if r.Text != tt.want {
				t.Errorf("got\n%s\nwant\n%s", r.Text, tt.want)
			}
		})
	}
	if got := out.All(); len(got) != 0 {
		t.Errorf("got %d follow-ups; want none for usage errors", len(got))
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
