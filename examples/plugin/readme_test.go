package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeSnippet keeps the README's "Writing a plugin" snippet in step
// with this example: every line of it must be a line of main.go.
func TestReadmeSnippet(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Writing a plugin")
	if !ok {
		t.Fatal("README has no Writing a plugin section")
	}
	_, snippet, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal("the section has no Go snippet")
	}
	snippet, _, _ = strings.Cut(snippet, "```")
	lines := map[string]bool{}
	for _, l := range strings.Split(string(src), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	n := 0
	for _, l := range strings.Split(snippet, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		n++
		if !lines[l] {
			t.Errorf("README line not in main.go: %s", l)
		}
	}
	if n < 10 {
		t.Errorf("snippet has %d lines; want the plugin", n)
	}
}
