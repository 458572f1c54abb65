package bottest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/outhook/outhook/bot"
)

// Golden compares got with the golden file at path (conventionally under
// testdata/). JSON is compared in a canonical indented form, so golden
// files stay readable and key order does not matter. When the test binary
// has an -update flag set to true, Golden writes got to path instead:
// declare the flag in the test package, as the Go tree does,
//
//	var update = flag.Bool("update", false, "rewrite the golden files in testdata")
//
// and refresh the files with `go test -run TestX -update`.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	got = canonical(got)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file: %v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, canonical(want)) {
		t.Errorf("%s: got\n%s\nwant\n%s\n(run with -update if the change is intended)", path, got, want)
	}
}

// GoldenReply compares the reply, as the bot would send it to Teams, with
// the golden JSON file at path; see Golden.
func GoldenReply(t testing.TB, path string, r bot.Reply) {
	t.Helper()
	data, err := r.MarshalJSON()
	if err != nil {
		t.Fatalf("encoding reply: %v", err)
	}
	Golden(t, path, data)
}

// updating reports whether the test binary's -update flag is set.
func updating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	b, ok := g.Get().(bool)
	return ok && b
}

// canonical indents JSON with two spaces and ends it with a newline; other
// content is returned as it is.
func canonical(data []byte) []byte {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return data
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(data), "", "  "); err != nil {
		return data
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}
