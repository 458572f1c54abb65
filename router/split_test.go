package router

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"", []string{}},
		{"  ping  ", []string{"ping"}},
		{"deploy web\tprod\nnow", []string{"deploy", "web", "prod", "now"}},
		{`deploy "staging eu" 'a b'`, []string{"deploy", "staging eu", "a b"}},
		{`echo "" x`, []string{"echo", "", "x"}},
		{"ticket #123 in C# now", []string{"ticket", "#123", "in", "C#", "now"}},
		{`ticket "#1 and #2"`, []string{"ticket", "#1 and #2"}},
		{"echo don't stop O'Brien", []string{"echo", "don't", "stop", "O'Brien"}},
		{`echo 'it isn't' "she's"`, []string{"echo", "it isn't", "she's"}},
		{`--reason="a b" --x='c d'`, []string{"--reason=a b", "--x=c d"}},
		{`echo say \"hi\" a\ b`, []string{"echo", "say", `"hi"`, "a b"}},
		{`copy C:\temp\new "D:\x \"y\""`, []string{"copy", `C:\temp\new`, `D:\x "y"`}},
		{`echo trailing\`, []string{"echo", `trailing\`}},
		{`echo 'single \ stays'`, []string{"echo", `single \ stays`}},
		{"echo \ue000\ue001x", []string{"echo", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := Split(tt.line)
			if err != nil {
				t.Fatalf("got error %v; want none", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestSplitUnbalanced(t *testing.T) {
	tests := []struct {
		line   string
		quote  rune
		offset int
		after  string
	}{
		{`deploy "staging eu`, '"', 7, "staging eu"},
		{`echo 'oops`, '\'', 5, "oops"},
		{`echo "a" "b`, '"', 9, "b"},
		{`echo "` + strings.Repeat("x", 100), '"', 5, strings.Repeat("x", 24) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := Split(tt.line)
			var qe *QuoteError
			if !errors.As(err, &qe) {
				t.Fatalf("got %v; want a *QuoteError", err)
			}
			if qe.Quote != tt.quote || qe.Offset != tt.offset || qe.After != tt.after {
				t.Errorf("got %c at %d before %q; want %c at %d before %q", qe.Quote, qe.Offset, qe.After, tt.quote, tt.offset, tt.after)
			}
			if !errors.Is(err, ErrUnbalancedQuotes) {
				t.Errorf("got errors.Is(err, ErrUnbalancedQuotes) false; want true")
			}
		})
	}
}
