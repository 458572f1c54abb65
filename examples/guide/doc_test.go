package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// goBlock finds the Go snippets of a markdown file.
var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestDocSnippets checks that every Go snippet of the guide,
// docs/plugins.md, is code of this example (or of the outhook binary it
// extends): line for line, indentation aside, so that the guide shows what
// compiles and is tested.
func TestDocSnippets(t *testing.T) {
	doc, err := os.ReadFile("../../docs/plugins.md")
	if err != nil {
		t.Fatal(err)
	}
	var sources [][]string
	for _, name := range []string{"main.go", "main_test.go", "../../cmd/outhook/main.go"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, lines(string(src)))
	}
	blocks := goBlock.FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 10 {
		t.Fatalf("got %d Go snippets in docs/plugins.md; want the guide's dozen or more", len(blocks))
	}
	for i, b := range blocks {
		snippet := lines(b[1])
		if !slices.ContainsFunc(sources, func(src []string) bool { return containsRun(src, snippet) }) {
			t.Errorf("snippet %d of docs/plugins.md is not in the example's code:\n%s", i+1, b[1])
		}
	}
}

// lines returns the non-blank lines of s, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun reports whether want occurs in src as consecutive lines.
func containsRun(src, want []string) bool {
	for i := 0; i+len(want) <= len(src); i++ {
		if slices.Equal(src[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
