package incoming_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/bot/incoming"
)

// TestEveryPromiseKept: a bot whose follow-up webhook answers 202, 429,
// 502 after reading the body, hangs, or is down: each promised result
// arrives exactly once, or its asker is told in the next reply in the
// channel, and never twice.
func TestEveryPromiseKept(t *testing.T) {
	tests := []struct {
		name     string
		script   []string // the receiver's answers; nil: nothing listens
		requests int      // the receiver gets exactly this many
		posted   bool     // the result is posted
		note     string   // else the next reply says this
	}{
		{"202", []string{"202"}, 1, true, ""},
		{"429 then 202", []string{"429 0", "202"}, 2, true, ""},
		{"503 with Retry-After then 202", []string{"503 0", "202"}, 2, true, ""},
		{"502 after the body", []string{"502", "202"}, 1, false, "may or may not have been posted"},
		{"hangs", []string{"hang", "202"}, 1, false, "may or may not have been posted"},
		{"down", nil, 0, false, "the follow-up webhook kept failing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url string
			var rc *receiver
			if tt.script != nil {
				rc = newReceiver(t, tt.script...)
				url = rc.url
			} else {
				url = closedURL(t)
			}
			sender := newSender(t, url, incoming.Config{MaxAttempts: 2})
			// The job ends once its ack is out: a failure filed before
			// that would ride on the ack, not on the reply this test reads.
			acked := make(chan struct{})
			s := bottest.NewServer(bot.Config{
				FollowUps: sender,
				Jobs:      bot.JobsConfig{Retry: 10 * time.Millisecond, GiveUp: 100 * time.Millisecond},
				Handler: bot.HandlerFunc(func(c *bot.Context) error {
					if strings.Contains(c.Activity.Text, "deploy") {
						return c.Go("Deploying.", func(context.Context) (bot.Reply, error) {
							<-acked
							return bot.Text("deployed"), nil
						})
					}
					return c.Text("pong")
				}),
			})
			t.Cleanup(s.Close)
			r, err := s.Say("deploy prod")
			close(acked)
			if err != nil || r.Text != "Deploying. (job 1)" {
				t.Fatalf("got %q, %v; want the ack", r.Text, err)
			}
			// Wait until the result is posted or reported.
			deadline := time.Now().Add(3 * time.Second)
			for time.Now().Before(deadline) {
				st := s.Bot.Status()
				if st.Jobs == 0 && st.Undelivered == 0 && (tt.posted || len(s.Bot.Jobs().List()) > 0) {
					break
				}
				if !tt.posted && len(s.Bot.Jobs().List()) == 1 && s.Bot.Jobs().List()[0].Note != "" {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			next, err := s.Say("ping")
			if err != nil {
				t.Fatal(err)
			}
			if tt.posted {
				if next.Text != "pong" {
					t.Errorf("next reply %q; want pong and no note", next.Text)
				}
			} else if !strings.HasPrefix(next.Text, "pong\n\nNote: I could not post the result of `deploy prod` (job 1)") ||
				!strings.Contains(next.Text, tt.note) {
				t.Errorf("next reply %q; want a note saying %q", next.Text, tt.note)
			}
			time.Sleep(30 * time.Millisecond) // room for a wrong extra post
			if rc != nil {
				if n := rc.count(); n != tt.requests {
					t.Errorf("the webhook got %d requests; want %d", n, tt.requests)
				}
			}
			if again, _ := s.Say("ping"); again.Text != "pong" {
				t.Errorf("second reply %q; want the note once only", again.Text)
			}
		})
	}
}

// TestDownThenUp: while the follow-up webhook is down the result waits in
// the outbox; once it is back, the result is posted, once.
func TestDownThenUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	sender := newSender(t, "http://"+addr+"/workflows/x?sig=s", incoming.Config{MaxAttempts: 1})
	s := bottest.NewServer(bot.Config{
		FollowUps: sender,
		Jobs:      bot.JobsConfig{Retry: 20 * time.Millisecond, GiveUp: time.Minute},
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			return c.Go("ok", func(context.Context) (bot.Reply, error) { return bot.Text("deployed"), nil })
		}),
	})
	t.Cleanup(s.Close)
	if _, err := s.Say("deploy"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for s.Bot.Status().Undelivered == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if s.Bot.Status().Undelivered != 1 {
		t.Fatalf("got %+v; want the result waiting in the outbox", s.Bot.Status())
	}
	// The webhook comes back on the same address.
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	got := make(chan struct{}, 10)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		got <- struct{}{}
		w.WriteHeader(http.StatusAccepted)
	}))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	defer srv.Close()
	select {
	case <-got:
	case <-time.After(3 * time.Second):
		t.Fatal("the result was not posted once the webhook was back")
	}
	time.Sleep(80 * time.Millisecond)
	if n := len(got); n != 0 {
		t.Errorf("got %d more posts; want the result once", n)
	}
	if st := s.Bot.Status(); st.Undelivered != 0 {
		t.Errorf("got %+v; want nothing left", st)
	}
}

// closedURL returns a loopback webhook URL where nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/workflows/x?sig=s"
}
