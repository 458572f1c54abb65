package cmd

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestConfigCheck(t *testing.T) {
	// outhook.example.yaml is checked, and started, as the systemd unit
	// runs it, in deploy/deploy_test.go. Here: chat runs its webhooks
	// without the deployment's files (credentials, audit log, TLS).
	t.Run("example file in chat", func(t *testing.T) {
		for _, tt := range []struct{ webhook, as, want string }{
			{"ops", "", "pong"},
			{"ops", "33333333-3333-3333-3333-333333333333", "may not run"}, // the rule "left the company"
			{"dev", "", "Install the client"},
		} {
			code, out, errs := run(t, "ping\nrunbook vpn\n", "chat", "--config", "../outhook.example.yaml",
				"--webhook", tt.webhook, "--as-id", tt.as)
			if code != 0 || !strings.Contains(out, tt.want) {
				t.Errorf("chat %s as %q: got %d %q %q; want 0 and %q", tt.webhook, tt.as, code, out, errs, tt.want)
			}
		}
	})
	t.Run("bad file explained", func(t *testing.T) {
		code, out, errs := run(t, "", "config", "check", "testdata/bad.yaml")
		if code != 1 || !strings.Contains(errs, "testdata/bad.yaml: 6 problem(s)") {
			t.Errorf("got exit %d, stderr %q; want 1 and the count", code, errs)
		}
		if strings.Contains(out+errs, "do-not-print-me") {
			t.Error("got the secret in the output")
		}
		out = strings.ReplaceAll(out, mustAbs(t, "testdata")+string(filepath.Separator), "testdata/")
		golden := "testdata/bad.golden"
		if *update {
			os.WriteFile(golden, []byte(out), 0o644)
		}
		want, _ := os.ReadFile(golden)
		if out != string(want) {
			t.Errorf("got:\n%s\nwant:\n%s", out, want)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		code, _, errs := run(t, "", "config", "check", "testdata/nosuch.yaml")
		if code != 1 || !strings.Contains(errs, "no such file") {
			t.Errorf("got %d %q; want 1 and no such file", code, errs)
		}
	})
	t.Run("secrets", func(t *testing.T) {
		token := bot.NewToken()
		file := writeFile(t, "c.yaml", `
webhooks:
  - {name: a, path: /a, secret_env: TEST_CHECK_A}
  - {name: b, path: /b, secret_env: TEST_CHECK_B}
  - {name: c, path: /c, secret_env: TEST_CHECK_C}
`)
		t.Setenv("TEST_CHECK_A", token)
		t.Setenv("TEST_CHECK_B", "not*base64")
		code, out, _ := run(t, "", "config", "check", file)
		want := []string{
			`webhook "b": token from $TEST_CHECK_B: token 1 of 1: token is not valid base64`,
			`webhook "c": no security token in $TEST_CHECK_C`,
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("got %q; want it to contain %q", out, w)
			}
		}
		if code != 1 || strings.Contains(out, `"a"`) || strings.Contains(out, token) || strings.Contains(out, "not*base64") {
			t.Errorf("got %d %q; want 1, nothing about a, no secret shown", code, out)
		}
	})
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "outhook ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("got %d %q; want the version and %s", code, out, runtime.Version())
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "outhook (unknown)\ngo: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"},
		{"release", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/outhook/outhook", Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "false"}}},
			"outhook v1.2.3\nrevision: abc123\ncommitted: 2026-01-02T03:04:05Z\nmodule: github.com/outhook/outhook\ngo: go1.26.0 " + runtime.GOOS + "/" + runtime.GOARCH + "\n"},
		{"dirty tree", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}},
			"outhook (devel)\nrevision: abc123 (modified)\ngo: go1.26.0 " + runtime.GOOS + "/" + runtime.GOARCH + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			writeVersion(&b, tt.bi)
			if b.String() != tt.want {
				t.Errorf("got %q; want %q", b.String(), tt.want)
			}
		})
	}
}
