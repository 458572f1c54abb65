package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	const (
		prodUser = "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f"
		banned   = "33333333-3333-3333-3333-333333333333"
	)
	rules := "testdata/policy/rules.yaml"
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"allowed by a named rule", []string{"--rules", rules, "--as-id", prodUser, "echo prod now"}, 0},
		{"closed command", []string{"--rules", rules, "--as-id", "someone", "--team", "19:ops@thread.tacv2", "echo prod"}, 1},
		{"star rule for a team", []string{"--rules", rules, "--as-id", "someone", "--team", "19:OPS@thread.tacv2", "--channel", "19:general@thread.tacv2", "--tenant", "t1", "ping"}, 0},
		{"default deny", []string{"--rules", rules, "--as-id", "someone", "ping"}, 1},
		{"deny wins", []string{"--rules", rules, "--as-id", banned, "--team", "19:ops@thread.tacv2", "help"}, 1},
		{"alias resolves", []string{"--rules", rules, "--as-id", "someone", "?"}, 0},
		{"no aad id", []string{"--rules", rules, "--as-id", "", "echo staging"}, 0},
		{"typo in a key", []string{"--rules", "testdata/policy/typo.yaml", "--as-id", prodUser, "echo prod"}, 1},
		{"unknown command and effect", []string{"--rules", "testdata/policy/unknown.yaml", "--as-id", prodUser, "ping"}, 1},
		{"broken yaml", []string{"--rules", "testdata/policy/broken.yaml", "--as-id", prodUser, "ping"}, 1},
		{"unknown command asked", []string{"--rules", rules, "--as-id", prodUser, "deploy prod"}, 1},
		{"unbalanced quote asked", []string{"--rules", rules, "--as-id", prodUser, `echo "prod`}, 1},
	}
	var got strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, "", append([]string{"policy", "check", "--plugins", "echo,help,ping,whoami"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("got exit %d (%s%s); want %d", code, out, errs, tt.code)
			}
			errs = strings.ReplaceAll(errs, mustAbs(t, "testdata")+string(filepath.Separator), "testdata/")
			got.WriteString("## " + tt.name + "\n" + out + errs + "\n")
		})
	}
	golden := "testdata/policy/check.golden"
	if *update {
		os.WriteFile(golden, []byte(got.String()), 0o644)
	}
	want, _ := os.ReadFile(golden)
	if got.String() != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", got.String(), want)
	}
}

func TestPolicyCheckConfig(t *testing.T) {
	const (
		prodUser = "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f"
		tenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	)
	conf := "testdata/policy/outhook.yaml"
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"allowed by the webhook's rule", []string{"--config", conf, "--webhook", "ops", "--as-id", prodUser, "--tenant", tenant, "echo prod"}, 0},
		{"denied by the webhook's rules", []string{"--config", conf, "--webhook", "ops", "--as-id", "someone", "--tenant", tenant, "echo prod"}, 1},
		{"default deny", []string{"--config", conf, "--webhook", "ops", "--as-id", prodUser, "--tenant", tenant, "ping"}, 1},
		{"tenant not served", []string{"--config", conf, "--webhook", "ops", "--as-id", prodUser, "--tenant", "other", "echo staging"}, 1},
		{"tenant not given", []string{"--config", conf, "--webhook", "ops", "--as-id", prodUser, "echo staging"}, 1},
		{"webhook without rules", []string{"--config", conf, "--webhook", "dev", "--as-id", "someone", "whoami"}, 0},
		{"command of another webhook", []string{"--config", conf, "--webhook", "dev", "--as-id", "someone", "echo prod"}, 1},
		{"webhook not named", []string{"--config", conf, "--as-id", prodUser, "help"}, 1},
		{"unknown webhook", []string{"--config", conf, "--webhook", "prod", "--as-id", prodUser, "help"}, 1},
		{"unknown command in a rule", []string{"--config", "testdata/access/unknown.yaml", "--as-id", prodUser, "help"}, 1},
		{"both sources", []string{"--config", conf, "--rules", "testdata/policy/rules.yaml", "--as-id", prodUser, "help"}, 1},
		{"no source", []string{"--as-id", prodUser, "help"}, 1},
		{"webhook without config", []string{"--rules", "testdata/policy/rules.yaml", "--webhook", "ops", "--as-id", prodUser, "help"}, 1},
	}
	var got strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, "", append([]string{"policy", "check"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("got exit %d (%s%s); want %d", code, out, errs, tt.code)
			}
			errs = strings.ReplaceAll(errs, mustAbs(t, "testdata")+string(filepath.Separator), "testdata/")
			got.WriteString("## " + tt.name + "\n" + out + errs + "\n")
		})
	}
	golden := "testdata/policy/config.golden"
	if *update {
		os.WriteFile(golden, []byte(got.String()), 0o644)
	}
	want, _ := os.ReadFile(golden)
	if got.String() != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", got.String(), want)
	}
}
