package console_test

import (
	"flag"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var (
	screenshot = flag.String("screenshot", "", "write a PNG screenshot of the console to this file (the README's is docs/console.png)")
	dark       = flag.Bool("dark", false, "take the screenshot in Teams' dark theme")
)

// TestScreenshot takes the README's picture of the console:
//
//	go test ./console -run TestScreenshot -screenshot ../docs/console.png
//
// With -dark it takes the picture in Teams' dark theme.
func TestScreenshot(t *testing.T) {
	if *screenshot == "" {
		t.Skip("no -screenshot file given")
	}
	s := newStack(t)
	p := openConsole(t, s)
	p.do(chromedp.EmulateViewport(1280, 940))
	p.waitFor("the event stream", `document.getElementById("stream").classList.contains("live")`, 5*time.Second)
	for _, c := range []string{"mention", "adaptive", "connector", "slow"} {
		p.say(c)
	}
	p.waitFor("the follow-up", `!!document.querySelector(".turn.followup")`, 5*time.Second)
	if *dark {
		p.do(chromedp.Click(chromedp.CSS("#theme")))
	}
	_ = eval[bool](p, `(() => { const l = document.getElementById("log"); l.scrollTop = l.scrollHeight; return true; })()`)
	p.noErrors()
	ctx := p.ctx
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d bytes", *screenshot, len(png))
}
