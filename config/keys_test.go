package config_test

import (
	"strings"
	"testing"

	"github.com/outhook/outhook/config"
)

// TestUnknownKeysAllAtOnce: every misspelt key is reported in one run,
// located, with the nearest key at its place.
func TestUnknownKeysAllAtOnce(t *testing.T) {
	_, err := config.Parse("c.yaml", []byte(`listn: ":8080"
metrics: {lisen: "127.0.0.1:9100"}
webhooks:
  - name: a
    path: /a
    plugns: [ping]
    access:
      default: deny
      rules:
        - {command: ping, efect: allow}
    plugin_config:
      anything: {goes: here}
    zzzzzz: 1
`))
	got := err.Error()
	for _, want := range []string{
		`c.yaml:1:1: unknown setting "listn": did you mean "listen"?`,
		`c.yaml:2:11: unknown setting "lisen": did you mean "listen"?`,
		`c.yaml:6:5: unknown setting "plugns": did you mean "plugins"?`,
		`c.yaml:10:27: unknown setting "efect": did you mean "effect"?`,
		`c.yaml:13:5: unknown setting "zzzzzz"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "goes") || strings.Contains(got, `"zzzzzz": did you mean`) {
		t.Errorf("plugin settings are their plugins' to check, and no key is near zzzzzz:\n%s", got)
	}
}
