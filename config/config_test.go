package config_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/config"
	"github.com/outhook/outhook/middleware"
	"github.com/outhook/outhook/middleware/access"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// catalog stands for the plugins of a binary.
var catalog = config.Catalog{
	"help": {"help", "?"},
	"ping": {"ping"},
	"echo": {"echo"},
}

func TestParseGood(t *testing.T) {
	f, err := config.Load("testdata/good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if err := f.Validate(catalog); err != nil {
		t.Fatalf("Validate:\n%v", err)
	}
	c := f.Config
	tests := []struct {
		name      string
		got, want any
	}{
		{"listen", c.Listen, "127.0.0.1:8443"},
		{"grace", c.Grace, 3 * time.Second},
		{"log", c.Log, config.Log{Format: "console", Level: "debug"}},
		{"tls", c.TLS, config.TLS{Cert: "/etc/outhook/cert.pem", Key: "/etc/outhook/key.pem"}},
		{"metrics", c.Metrics.Path, "/internal/metrics"},
		{"store", c.Store, config.Store{Kind: "redis", RedisURLEnv: "OUTHOOK_REDIS_URL"}},
		{"default budget", c.Defaults.Budget, 3500 * time.Millisecond},
		{"default plugins", c.Defaults.Plugins, []string{"help", "ping"}},
		{"webhooks", len(c.Webhooks), 2},
		{"ops commands", c.Webhooks[0].Commands, []string{"help", "?", "ping"}},
		{"ops followup", c.Webhooks[0].FollowUp, config.FollowUp{URLEnv: "OPS_FOLLOWUP", Budget: time.Minute}},
		{"ops rule", c.Webhooks[0].Access.Rules.Rules[0], access.Rule{Command: "deploy prod", Effect: "allow", Users: []string{"u1", "u2"}}},
		{"ops default", c.Webhooks[0].Access.Default, "deny"},
		{"ops tenants", c.Webhooks[0].Access.Tenants, []string{"t1"}},
		{"ops redact", c.Webhooks[0].Audit.Redact, middleware.Redact{"ping": {"1"}}},
		{"audit file", c.Audit.File, "/var/log/outhook/audit.log"},
		{"ops rate", c.Webhooks[0].Access.RateLimit, config.RateLimit{PerUser: 5, Window: 30 * time.Second}},
		{"dev secret file", c.Webhooks[1].SecretFile, "/run/secrets/dev"},
		{"dev plugin config", c.Webhooks[1].PluginConfig["echo"]["max_length"], uint64(10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v; want %#v", tt.got, tt.want)
			}
		})
	}
}

// TestBad checks the explanation of every bad file in testdata/bad against
// its golden file (refresh with go test -update).
func TestBad(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) == 0 {
		t.Fatal("no testdata/bad/*.yaml")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := config.Load(file)
			if err == nil {
				err = f.Validate(catalog)
			}
			var errs config.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got error %v (%T); want config.Errors", err, err)
			}
			got := err.Error() + "\n"
			if strings.Contains(got, "YT9tnapmcJ3aRMcfBS8Iz6ya226G1U8aoUwbjuWIsMs") {
				t.Errorf("the explanation shows the secret:\n%s", got)
			}
			for _, p := range errs {
				if p.Line == 0 {
					t.Errorf("got no line for %q; want one", p.Message)
				}
			}
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading golden file (run go test -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestValidateWithoutCatalog(t *testing.T) {
	f, err := config.Parse("x.yaml", []byte("defaults: {plugins: [nosuch]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(nil); err != nil {
		t.Errorf("got %v; want nil: plugin names are only checked against a catalog", err)
	}
}

// TestWebhookNameLength: a webhook's name may be 63 characters long, not
// 64 (the bound is checked apart from the name's pattern).
func TestWebhookNameLength(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{
		{1, ""},
		{63, ""},
		{64, "is longer than 63 characters"},
	} {
		name := strings.Repeat("a", tt.n)
		f, err := config.Parse("x.yaml", []byte("webhooks:\n  - name: "+name+"\n    path: /a\n"))
		if err != nil {
			t.Fatal(err)
		}
		err = f.Validate(nil)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("name of %d characters: got %v; want %q", tt.n, err, tt.want)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := config.Load("testdata/nosuch.yaml")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v; want an error wrapping os.ErrNotExist", err)
	}
}

func TestReadSecrets(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tokens")
	if err := os.WriteFile(file, []byte("# rotated 2026-01\n\n tok2 \ntok3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ONE": " tok1 , ,tok1b", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name, env, file string
		want            []string
		err             string
	}{
		{"env", "ONE", "", []string{"tok1", "tok1b"}, ""},
		{"file", "", file, []string{"tok2", "tok3"}, ""},
		{"both", "ONE", file, []string{"tok1", "tok1b", "tok2", "tok3"}, ""},
		{"unset", "NOPE", "", nil, config.ErrNoSecret.Error()},
		{"empty", "EMPTY", "", nil, config.ErrNoSecret.Error()},
		{"missing file", "", filepath.Join(dir, "nosuch"), nil, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.ReadSecrets(tt.env, tt.file, lookup)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v; want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestReadSecret(t *testing.T) {
	env := map[string]string{"URL": "https://example.invalid/hook", "TWO": "a"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	file := filepath.Join(t.TempDir(), "url")
	if err := os.WriteFile(file, []byte("b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := config.ReadSecret("URL", "", lookup); err != nil || got != env["URL"] {
		t.Errorf("got %q, %v; want %q", got, err, env["URL"])
	}
	if _, err := config.ReadSecret("TWO", file, lookup); err == nil || strings.Contains(err.Error(), "a") && strings.Contains(err.Error(), "b\n") {
		t.Errorf("got %v; want an error about two values that shows neither", err)
	}
	if _, err := config.ReadSecret("NOPE", "", lookup); !errors.Is(err, config.ErrNoSecret) {
		t.Errorf("got %v; want ErrNoSecret", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/good.yaml", "testdata/bad/values.yaml", "testdata/bad/syntax.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := config.Parse("fuzz.yaml", data)
		if err != nil {
			var errs config.Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("got %v (%T); want config.Errors", err, err)
			}
			return
		}
		_ = file.Validate(catalog) // must not panic
	})
}

// TestCheckAccess compiles access rules and redaction against a webhook's
// commands and checks the explanation against testdata/access/*.golden.
func TestCheckAccess(t *testing.T) {
	known := []string{"deploy", "help", "ping", "vault"}
	tests := []struct {
		file string
		ok   bool
	}{
		{"testdata/access/good.yaml", true},
		{"testdata/access/bad.yaml", false},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			f, err := config.Load(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Validate(nil); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			var got strings.Builder
			for i := range f.Config.Webhooks {
				err := f.CheckAccess(i, known)
				if err == nil {
					continue
				}
				var errs config.Errors
				if !errors.As(err, &errs) {
					t.Fatalf("got %v (%T); want config.Errors", err, err)
				}
				for _, p := range errs {
					if p.Line == 0 {
						t.Errorf("got no line for %q; want one", p.Message)
					}
				}
				got.WriteString(err.Error() + "\n")
			}
			if tt.ok {
				if got.Len() > 0 {
					t.Errorf("got:\n%s\nwant no problem", got.String())
				}
				return
			}
			golden := strings.TrimSuffix(tt.file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading golden file (run go test -update): %v", err)
			}
			if got.String() != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got.String(), want)
			}
		})
	}
	f, _ := config.Parse("x.yaml", []byte("webhooks: [{name: a, path: /a}]\n"))
	if err := f.CheckAccess(1, nil); err == nil {
		t.Error("got nil for webhook 2 of 1; want an error")
	}
}
