package suggest

import (
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	known := []string{"listen", "plugins", "deploy", "runbook", "status", "ping"}
	for _, tt := range []struct {
		word string
		want []string
	}{
		{"listn", []string{"listen"}},
		{"PLUGNS", []string{"plugins"}},
		{"dpeloy", []string{"deploy"}}, // transposed letters are one edit
		{"run", []string{"runbook"}},   // a prefix
		{"pingg", []string{"ping"}},
		{"zzzzzz", nil},
		{"", nil},
		{strings.Repeat("x", 100), nil},
	} {
		if got := Words(tt.word, known); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("Words(%q) = %q; want %q", tt.word, got, tt.want)
		}
	}
}
