package router_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/router"
)

// resolve runs text through r as a dry run and returns its Resolution.
func resolve(t testing.TB, r *router.Router, text string, mentions ...bot.Entity) *router.Resolution {
	t.Helper()
	ctx, dr := router.DryRun(context.Background())
	_ = r.Handle(bot.NewContext(ctx, activity(text, mentions...)))
	res := dr.Resolution()
	if res == nil {
		t.Fatalf("%q: no resolution", text)
	}
	return res
}

func TestResolution(t *testing.T) {
	r := newRouter()
	tests := []struct {
		text        string
		path        string
		known, help bool
		positionals []string
		flags       map[string][]string
		redacted    string
	}{
		{"deploy run web prod -r fix", "deploy run", true, false, []string{"web", "prod"},
			map[string][]string{"reason": {"fix"}, "force": {"false"}, "timeout": {"5m"}, "replicas": {"1"}},
			"deploy run web prod --reason=fix"},
		{"DEPLOY Start --REASON=fix web", "deploy run", true, false, []string{"web", "staging"},
			map[string][]string{"reason": {"fix"}, "force": {"false"}, "timeout": {"5m"}, "replicas": {"1"}},
			"deploy run web staging --reason=fix"},
		{`deploy run --reason "a b" -f -- web`, "deploy run", true, false, []string{"web", "staging"},
			map[string][]string{"reason": {"a b"}, "force": {"true"}, "timeout": {"5m"}, "replicas": {"1"}},
			`deploy run web staging --reason="a b" --force=true`},
		{"deploy run web -r x --SECRET=hunter2", "deploy run", true, false, []string{"web", "staging"},
			map[string][]string{"reason": {"x"}, "secret": {"hunter2"}, "force": {"false"}, "timeout": {"5m"}, "replicas": {"1"}},
			"deploy run web staging --reason=x --secret=[redacted]"},
		{"deploy run --help", "deploy run", true, true, nil, nil, "deploy run --help"},
		{"deploy run web", "deploy run", false, false, nil, nil, "deploy run [redacted]"},
		{`deploy run "web`, "deploy run", false, false, nil, nil, "deploy run [redacted]"},
		{"note anything --secret x", "note", false, false, nil, nil, "note [redacted]"},
		{"say a --b c", "echo", true, false, []string{"a", "--b", "c"}, nil, "echo a --b c"},
		{"deploy bogus", "deploy", true, false, []string{"bogus"}, nil, "deploy bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			res := resolve(t, r, tt.text)
			if res.Path != tt.path || res.Known != tt.known || res.Help != tt.help {
				t.Errorf("got path %q known %v help %v; want %q %v %v", res.Path, res.Known, res.Help, tt.path, tt.known, tt.help)
			}
			if !reflect.DeepEqual(res.Positionals, tt.positionals) {
				t.Errorf("got positionals %q; want %q", res.Positionals, tt.positionals)
			}
			if !reflect.DeepEqual(res.Flags, tt.flags) {
				t.Errorf("got flags %v; want %v", res.Flags, tt.flags)
			}
			if got := res.Redacted(); got != tt.redacted {
				t.Errorf("got redacted %q; want %q", got, tt.redacted)
			}
			if res.Command == nil || res.Command.Path() != res.Path {
				t.Errorf("got command %v for path %q", res.Command, res.Path)
			}
		})
	}
	t.Run("mention", func(t *testing.T) {
		res := resolve(t, r, "assign <at>Ana Lima</at> docs", ana)
		if want := []string{"Ana Lima", "docs"}; !reflect.DeepEqual(res.Positionals, want) {
			t.Errorf("got %q; want %q", res.Positionals, want)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		res := resolve(t, r, "deplyo run")
		if !res.NotFound || res.Word != "deplyo" || res.Redacted() != "unknown" || len(res.RedactedArgs()) != 0 {
			t.Errorf("got %+v; want not found, nothing quoted", res)
		}
	})
}

func TestResolutionMarks(t *testing.T) {
	r := newRouter()
	res := resolve(t, r, "echo one --token hunter2 --Token=x password=pw")
	res.MarkSecret("--TOKEN")
	res.MarkSecretKey("PASSWORD=")
	if got, want := res.Redacted(), "echo one --token [redacted] --Token=[redacted] password=[redacted]"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	res.MarkSecretPositions(0, 0)
	if got := res.RedactedArgs()[0]; got != router.Redacted {
		t.Errorf("got %q; want the first value redacted", got)
	}
}

// FuzzResolve: whatever surrounds it, a secret flag's value never shows in
// the redacted line, and the resolved path names the command that runs.
func FuzzResolve(f *testing.F) {
	f.Add("web prod -r fix")
	f.Add(`--reason "x y" -- web`)
	f.Add("-fr x web")
	f.Add("--help")
	f.Add(`"unclosed`)
	f.Add("web --tags a,b --tags c")
	r := newRouter()
	f.Fuzz(func(t *testing.T, line string) {
		if strings.Contains(strings.ToLower(line), "xyzzy") {
			t.Skip()
		}
		for _, text := range []string{"deploy run " + line + " --secret XYZZY", "deploy START --SECRET=XYZZY " + line} {
			res := resolve(t, r, text)
			if got := res.Redacted(); strings.Contains(strings.ToLower(got), "xyzzy") {
				t.Errorf("%q: redacted %q shows the secret", text, got)
			}
			if res.Path != "deploy run" && !res.NotFound {
				t.Errorf("%q: got path %q; want deploy run", text, res.Path)
			}
			if res.Known && !res.Help && len(res.Positionals) == 0 {
				t.Errorf("%q: known without the required service", text)
			}
		}
	})
}
