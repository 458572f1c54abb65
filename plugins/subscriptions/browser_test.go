package subscriptions_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/outhook/outhook/internal/browsertest"
)

// TestConfigurationPageInABrowser drives the configuration page in a
// headless Chromium, as a person in the channel would: the signed link
// from "configure" (a real bot, real signatures), the form to create a
// subscription, the list, the post on the fake clock, and an expired
// link refused with a page that holds no data.
func TestConfigurationPageInABrowser(t *testing.T) {
	ps := startPage(t)
	base := ps.srv.URL + "/subscriptions"
	browser := browsertest.New(t)
	bounded := func() context.Context {
		ctx, cancel := context.WithTimeout(browser, 20*time.Second)
		t.Cleanup(cancel)
		return ctx
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bounded(), steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(what string, sel chromedp.CSS) string {
		t.Helper()
		got, err := chromedp.Run(bounded(), chromedp.Text(sel))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return got
	}

	do("opening the link", chromedp.Navigate(ps.link(t)))
	if heading := text("opening the link", "#list"); heading != "Subscriptions (0)" {
		t.Fatalf("opening the link: got heading %q; want Subscriptions (0)", heading)
	}

	do("creating a subscription",
		chromedp.SetValue(chromedp.CSS("#feed"), "weather"),
		chromedp.SendKeys(chromedp.CSS("#options"), "city=Oslo"),
		chromedp.SendKeys(chromedp.CSS("#at-new"), "07:00"),
		chromedp.SendKeys(chromedp.CSS("#on-new"), "weekdays"),
		chromedp.Click(chromedp.CSS(`button[value="create"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role=status]`)),
	)
	main := text("after creating", "main")
	for _, want := range []string{"Subscribed.", "Subscriptions (1)", "city=Oslo", "weekdays at 07:00 (Europe/Berlin)", "next post Fri 27 Nov 07:00 CET", "not run yet"} {
		if !strings.Contains(main, want) {
			t.Errorf("after creating: no %q in %q", want, main)
		}
	}

	step(t, ps.clock, time.Date(2026, 11, 27, 7, 0, 5, 0, berlin))
	if posts := ps.hook.Posts(); len(posts) != 1 || !strings.Contains(posts[0], "Tomorrow in Oslo") {
		t.Fatalf("at 07:00: the fake webhook got %v; want the forecast", posts)
	}
	do("reloading the page", chromedp.Navigate(base+"/page"))
	main = text("after the run", "main")
	if !strings.Contains(main, "posted (Fri 27 Nov 07:00 CET)") || !strings.Contains(main, "next post Mon 30 Nov 07:00 CET") {
		t.Errorf("after the run: got %q; want the last outcome and the next post", main)
	}

	expired := ps.link(t)
	ps.clock.Advance(11 * time.Minute)
	do("opening an expired link", chromedp.Navigate(expired))
	main = text("expired link", "main")
	if !strings.Contains(main, "This link has expired") || !strings.Contains(main, "configure") {
		t.Errorf("expired link: got %q; want a page that says so and how to get a new one", main)
	}
	html, err := chromedp.Run(bounded(), chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<form") || strings.Contains(html, "Oslo") || strings.Contains(html, "Subscriptions (") {
		t.Errorf("expired link: the page shows data: %s", html)
	}
}
