// Package suggest finds the words a person probably meant, for "did you
// mean …?" answers: the router's for commands, subcommands, flags and
// values, the configuration's for settings.
package suggest

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// maxSuggestLen bounds the words compared, so a 28 KB word costs nothing.
const maxSuggestLen = 64

// Words returns up to three candidates close to word, closest first:
// those within an edit distance of about a third of their length
// (transposed letters count as one edit), and those word is a prefix of.
// Comparison ignores case.
func Words(word string, candidates []string) []string {
	if word == "" || utf8.RuneCountInString(word) > maxSuggestLen {
		return nil
	}
	w := []rune(strings.ToLower(word))
	type hit struct {
		s string
		d int
	}
	var hits []hit
	for _, c := range candidates {
		cr := []rune(strings.ToLower(c))
		limit := max(1, len(cr)/3)
		d := distance(w, cr)
		switch {
		case d <= limit:
			hits = append(hits, hit{c, d})
		case len(w) >= 2 && len(w) < len(cr) && string(cr[:len(w)]) == string(w):
			hits = append(hits, hit{c, len(cr) - len(w)})
		case len(w) >= 3 && len(w) > len(cr) && string(w[:len(cr)]) == string(cr) && len(w)-len(cr) <= 2:
			hits = append(hits, hit{c, len(w) - len(cr)})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].d < hits[j].d })
	out := make([]string, 0, min(3, len(hits)))
	for _, h := range hits {
		if len(out) == 3 {
			break
		}
		if !contains(out, h.s) {
			out = append(out, h.s)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// distance is the optimal string alignment distance between a and b: the
// Levenshtein distance where swapping two neighbouring letters is one edit.
func distance(a, b []rune) int {
	if len(a) == 0 {
		return len(b)
	}
	if len(b) == 0 {
		return len(a)
	}
	// Three rows of the dynamic programme.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
