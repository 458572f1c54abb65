package console_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/console"
	"github.com/outhook/outhook/internal/browsertest"
)

// page is the console open in a headless Chromium.
type page struct {
	t   *testing.T
	ctx context.Context
}

func openConsole(t *testing.T, s *stack) *page {
	t.Helper()
	ctx := browsertest.New(t)
	p := &page{t: t, ctx: ctx}
	p.do(chromedp.Navigate(s.URL), chromedp.Poll[chromedp.Void](`document.body.dataset.ready === "true"`, chromedp.WithPollingTimeout(10*time.Second)))
	return p
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

// eval returns the value of a JavaScript expression on the page.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it holds.
func (p *page) waitFor(what, expr string, within time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, within+time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(within))); err != nil {
		p.t.Fatalf("waiting for %s: %v; page errors: %v; log: %s", what, err, eval[[]string](p, "window.consoleErrors"), eval[string](p, `document.getElementById("log").innerText`))
	}
}

// say types text as after @Bot and waits for the answer; it returns the
// turn's index among the page's turns.
func (p *page) say(text string) int {
	p.t.Helper()
	n := eval[int](p, `document.querySelectorAll(".turn").length`)
	p.do(chromedp.SetValue(chromedp.CSS("#text"), text), chromedp.Click(chromedp.CSS("#say button")))
	p.waitFor("the reply to "+text, fmt.Sprintf(`(() => { const t = document.querySelectorAll(".turn.sent")[%d]; return t && t.dataset.state !== "waiting"; })()`, n), 10*time.Second)
	return n
}

// turn returns an expression for the last sent turn's element.
const lastTurn = `[...document.querySelectorAll(".turn.sent")].pop()`

func (p *page) noErrors() {
	p.t.Helper()
	if errs := eval[[]string](p, "window.consoleErrors"); len(errs) > 0 {
		p.t.Errorf("the page reported errors: %q", errs)
	}
}

func TestBrowserRendersEachKindOfReply(t *testing.T) {
	s := newStack(t)
	p := openConsole(t, s)
	cases := []struct {
		command string
		// check is a JavaScript expression on t, the turn's element,
		// that holds when the reply rendered as it should.
		check string
		want  string // text the rendered reply shows
	}{
		{"adaptive", `t.querySelector(".card.adaptive .ac-adaptiveCard") && t.querySelectorAll(".reply .ac-factset, .reply table").length > 0 && t.querySelector(".reply .card.adaptive .mention").textContent === "Ada Lovelace" && !t.querySelector(".reply").innerText.includes("<at>")`, "Deploy finished"},
		{"hero", `t.querySelector(".card.hero .hero-image") && t.querySelector(".card.hero .card-title").textContent === "Release 2.0" && t.querySelector(".card.hero em")`, "Release notes"},
		{"thumb", `t.querySelector(".card.thumbnail .thumb-image") && t.querySelector(".card.thumbnail .card-subtitle").textContent === "On call this week"`, "Page her"},
		{"list", `t.querySelectorAll(".card.list .list-item").length === 2 && t.querySelector(".card.list .list-item.tappable")`, "#41 failed"},
		{"connector", `t.querySelector(".card.connector .facts") && t.querySelector(".card.connector").style.borderLeftColor !== "" && t.querySelector(".card.connector strong")`, "Nightly backup"},
		{"mention", `t.querySelector(".reply .mention") && t.querySelector(".reply .mention").textContent === "Ada Lovelace" && !t.querySelector(".reply").innerText.includes("<at>") && t.querySelectorAll(".reply li").length === 2 && t.querySelector(".reply code")`, "here is a"},
	}
	for _, tc := range cases {
		t.Run(tc.command, func(t *testing.T) {
			p.t = t
			p.say(tc.command)
			if !eval[bool](p, `(() => { const t = `+lastTurn+`; return t.dataset.state === "replied" && !!(`+tc.check+`); })()`) {
				t.Errorf("the reply did not render as expected: %s", eval[string](p, lastTurn+`.querySelector(".msgs").innerHTML`))
			}
			if got := eval[string](p, lastTurn+`.querySelector(".reply").innerText`); !strings.Contains(got, tc.want) {
				t.Errorf("got %q; want it to contain %q", got, tc.want)
			}
			if got := eval[string](p, lastTurn+`.querySelector(".inspect").innerText`); !strings.Contains(got, "ms of 5000 ms") || !strings.Contains(got, "KB of 28 KB") {
				t.Errorf("got timing %q; want it against the 5000 ms budget and 28 KB", got)
			}
			p.noErrors()
		})
	}
	t.Run("dark theme", func(t *testing.T) {
		p.t = t
		p.do(chromedp.Click(chromedp.CSS("#theme")))
		if got := eval[string](p, `document.documentElement.dataset.theme`); got != "dark" {
			t.Errorf("got theme %q; want dark", got)
		}
		// The Adaptive Card was drawn again with the dark host config.
		bg := eval[string](p, `getComputedStyle(document.querySelector(".card.adaptive .ac-adaptiveCard")).backgroundColor`)
		if bg != "rgb(41, 41, 41)" {
			t.Errorf("got the card's background %q; want Teams dark rgb(41, 41, 41)", bg)
		}
		p.noErrors()
	})
}

func TestBrowserShowsNoticeThenFollowUp(t *testing.T) {
	s := newStack(t)
	p := openConsole(t, s)
	p.waitFor("the event stream", `document.getElementById("stream").classList.contains("live")`, 5*time.Second)
	p.say("slow")
	notice := eval[string](p, lastTurn+`.querySelector(".reply").innerText`)
	if notice == "" || strings.Contains(notice, "slow done") {
		t.Fatalf("got %q first; want the timeout notice", notice)
	}
	p.waitFor("the follow-up", `(() => { const f = document.querySelector(".turn.followup"); return f && f.innerText.includes("slow done"); })()`, 5*time.Second)
	if got := eval[string](p, `document.querySelector(".turn.followup").dataset.kind`); got != "workflows" {
		t.Errorf("got follow-up kind %q; want workflows", got)
	}
	if !eval[bool](p, `!!document.querySelector(".turn.followup .ac-adaptiveCard .mention")`) {
		t.Error("the follow-up's Adaptive Card did not render with its mention")
	}

	// A connector's MessageCard, as bot/incoming posts it to a connector URL.
	s2, err := incoming.New(s.URL+console.ConnectorPath, incoming.Config{Kind: incoming.Connector, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	f := &bot.FollowUp{Asker: bot.Account{Name: "Ada Lovelace"}, Line: "backup", Reply: bot.Text("backup **done**")}
	if err := s2.Post(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the connector follow-up", `(() => { const f = document.querySelector(".turn.followup[data-kind=connector] .card.connector"); return f && f.innerText.includes("backup done"); })()`, 5*time.Second)
	p.noErrors()
}

func TestBrowserShowsDenialAndAskerPicker(t *testing.T) {
	s := newStack(t)
	p := openConsole(t, s)
	p.say("deploy prod")
	if got, want := eval[string](p, lastTurn+`.querySelector(".reply").innerText`), "Sorry, you may not run deploy prod here."; !strings.Contains(got, want) {
		t.Errorf("got %q; want the denial %q", got, want)
	}
	p.do(chromedp.SetValue(chromedp.CSS("#name"), "Alice"), chromedp.SetValue(chromedp.CSS("#aad"), "alice"),
		chromedp.SetValue(chromedp.CSS("#team"), "19:other-team"))
	p.say("deploy prod")
	if got, want := eval[string](p, lastTurn+`.querySelector(".reply").innerText`), "deploying prod"; !strings.Contains(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
	p.say("whoami")
	if got, want := eval[string](p, lastTurn+`.querySelector(".reply").innerText`), "Alice (alice) in 19:other-team"; !strings.Contains(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
	p.noErrors()
}
