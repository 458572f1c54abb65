// Package browsertest starts a headless Chromium for tests that drive a
// page from Go with chromedp: what a test sees is what a person's browser
// would render, scripts, styles and all.
//
//	ctx := browsertest.New(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil { … }
//	title, err := chromedp.Run(ctx, chromedp.Title())
//
// A machine without Chromium skips such tests, unless the environment
// variable CI is set: there a missing browser fails them (.ci/chromium.sh
// installs it).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// DefaultExecPath is where Debian's chromium package puts the browser.
const DefaultExecPath = "/usr/bin/chromium"

// Flags are the command-line switches the browser starts with: headless,
// no sandbox (containers run tests as root), and none of the background
// traffic a fresh profile makes, so that tests stay on loopback.
var Flags = []string{
	"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
	"disable-background-networking", "disable-component-update", "disable-sync",
}

// ExecPath returns the Chromium to run: DefaultExecPath if present, else
// the first of chromium, chromium-browser, google-chrome and
// headless-shell on $PATH, or "" when there is none.
func ExecPath() string {
	if _, err := os.Stat(DefaultExecPath); err == nil {
		return DefaultExecPath
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless Chromium with a fresh profile and returns a
// chromedp context for a tab in it; the browser is stopped when the test
// ends. Without Chromium it skips the test, or fails it when $CI is set.
func New(t testing.TB) context.Context {
	t.Helper()
	path := ExecPath()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("browsertest: no Chromium installed (run .ci/chromium.sh)")
		}
		t.Skip("browsertest: no Chromium installed; skipping the browser test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()), // removed after the browser stops
	}
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// Start the browser now, on a context without a deadline: the first
	// run's context bounds the browser's life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}
	return ctx
}
