package middleware_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/router"
)

// logLine is the part of a JSON log line TestAuditOnAnswerLine reads.
type logLine struct {
	Audit          bool     `json:"audit"`
	Message        string   `json:"message"`
	Command        string   `json:"command"`
	Outcome        string   `json:"outcome"`
	Status         int      `json:"status"`
	UserName       string   `json:"user_name"`
	Tenant         string   `json:"tenant"`
	Args           []string `json:"args"`
	Reason         string   `json:"reason"`
	DeadlineMissed bool     `json:"deadline_missed"`
}

// TestAuditOnAnswerLine checks, through the real HTTP path, that with
// OnAnswerLine each command is logged on exactly one line, the bot's
// answered line carrying the audit event, and that the event of a command
// that outlives its budget (whose answered line is written before it
// returns) is still written, on a line of its own.
func TestAuditOnAnswerLine(t *testing.T) {
	var logs bottest.LogBuffer
	logger := zerolog.New(&logs)
	r := router.New()
	r.Add(&router.Command{Name: "vault", Handler: func(c *router.Context) error { return c.Text("stored") }})
	r.Add(&router.Command{Name: "fail", Handler: func(c *router.Context) error {
		return &bot.Error{Message: "no such thing"}
	}})
	late := make(chan struct{})
	r.Add(&router.Command{Name: "slow", Handler: func(c *router.Context) error {
		<-c.Done()
		time.Sleep(50 * time.Millisecond) // returns after the notice is out
		defer close(late)
		return c.Text("too late")
	}})
	racy := make(chan struct{})
	r.Add(&router.Command{Name: "racy", Handler: func(c *router.Context) error {
		defer close(racy)
		<-c.Done() // returns as the notice is written
		return c.Text("too late")
	}})
	r.Use(middleware.AuditWithConfig(middleware.AuditConfig{
		Logger:       logger.With().Bool("audit", true).Logger(),
		Redact:       middleware.Redact{"vault": {"2+"}},
		OnAnswerLine: true,
	}))
	srv := bottest.NewServer(bot.Config{Handler: r, Logger: logger, Budget: 300 * time.Millisecond})
	defer srv.Close()

	for _, line := range []string{"vault put s3cr3t", "fail now"} {
		if _, err := srv.Say(line); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.Say("slow"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-late:
	case <-time.After(5 * time.Second):
		t.Fatal("the slow handler did not return")
	}
	if _, err := srv.Say("racy"); err != nil {
		t.Fatal(err)
	}
	<-racy
	srv.Close() // waits for the late handlers' audit events

	byCommand := map[string][]logLine{}
	for _, text := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l logLine
		if err := json.Unmarshal([]byte(text), &l); err != nil {
			t.Fatalf("log line %q: %v", text, err)
		}
		if strings.Contains(text, "s3cr3t") {
			t.Errorf("the secret is logged: %s", text)
		}
		if l.Message == "answered" || l.Message == "command" {
			byCommand[l.Command] = append(byCommand[l.Command], l)
		}
	}
	tests := []struct {
		command string
		want    []logLine
	}{
		{"vault", []logLine{{Audit: true, Message: "answered", Command: "vault", Outcome: "ok", Status: 200,
			UserName: "Ada Lovelace", Tenant: bottest.DefaultTenant, Args: []string{"put", "[redacted]"}}}},
		{"fail", []logLine{{Audit: true, Message: "answered", Command: "fail", Outcome: "refused", Status: 200,
			UserName: "Ada Lovelace", Tenant: bottest.DefaultTenant, Args: []string{"now"}, Reason: "no such thing"}}},
		{"slow", []logLine{
			{Message: "answered", Command: "slow", Outcome: "timeout", Status: 200},
			{Audit: true, Message: "command", Command: "slow", Outcome: "ok", UserName: "Ada Lovelace",
				Tenant: bottest.DefaultTenant, Args: []string{}, DeadlineMissed: true},
		}},
	}
	// Whichever of the notice and the handler's return comes first, the
	// answered line says timeout, and the audit event is written once:
	// on that line or on its own.
	audits, answered := 0, 0
	for _, l := range byCommand["racy"] {
		if l.Audit {
			audits++
		}
		if l.Message == "answered" {
			answered++
			if l.Outcome != "timeout" {
				t.Errorf("racy: answered with outcome %q; want timeout", l.Outcome)
			}
		}
	}
	if audits != 1 || answered != 1 {
		t.Errorf("racy: got %d audit events and %d answered lines in %+v; want 1 and 1", audits, answered, byCommand["racy"])
	}
	for _, tt := range tests {
		got := byCommand[tt.command]
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %d lines %+v; want %d", tt.command, len(got), got, len(tt.want))
			continue
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if g.Audit != w.Audit || g.Message != w.Message || g.Outcome != w.Outcome || g.Status != w.Status ||
				g.UserName != w.UserName || g.Tenant != w.Tenant || strings.Join(g.Args, " ") != strings.Join(w.Args, " ") ||
				!strings.Contains(g.Reason, w.Reason) || g.DeadlineMissed != w.DeadlineMissed {
				t.Errorf("%s line %d: got %+v; want %+v", tt.command, i, g, w)
			}
		}
	}
}

// TestLogWithAnswerOutsideHTTP checks that a Context not answering an HTTP
// post takes nothing onto a line that will never be written.
func TestLogWithAnswerOutsideHTTP(t *testing.T) {
	c := bot.NewContext(t.Context(), bottest.Message{Text: "ping"}.Activity())
	if c.LogWithAnswer(noFields{}, "ok") {
		t.Error("LogWithAnswer on a NewContext reported true; want false")
	}
}

// noFields adds nothing to a log line.
type noFields struct{}

func (noFields) MarshalZerologObject(*zerolog.Event) {}
