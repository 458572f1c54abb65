package bot

import (
	"bytes"
	"encoding/json"
	"testing"
)

// replyJSONSeeds are texts that exercise every escape appendJSONString
// writes.
var replyJSONSeeds = []string{
	"pong", `say "hi" \ there`, "a\nb\tc\r\b\f\x00\x1f\x7f", "<at>Ana</at> & co > x",
	"grüße 😀", "line\u2028sep\u2029", "bad \xff\xfe utf-8", "\xed\xa0\x80 surrogate", "",
}

func TestReplyMarshalJSONText(t *testing.T) {
	for _, s := range replyJSONSeeds {
		checkReplyJSON(t, Reply{Text: s})
		checkReplyJSON(t, Reply{Text: s, Summary: "shown nowhere"})
	}
	checkReplyJSON(t, Reply{Summary: "only a summary"})
	checkReplyJSON(t, Reply{Text: "x", Entities: []Entity{{Type: "mention", Text: "<at>A</at>"}}})
}

// TestReplyMarshalJSONAllocs holds a text reply to one allocation, the
// result, and none when appended to a buffer with room.
func TestReplyMarshalJSONAllocs(t *testing.T) {
	r := Text("pong <b>")
	if n := testing.AllocsPerRun(100, func() { _, _ = r.MarshalJSON() }); n > 1 {
		t.Errorf("got %v allocations; want at most 1", n)
	}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { _, _ = r.appendJSON(buf[:0]) }); n != 0 {
		t.Errorf("got %v allocations appending; want 0", n)
	}
}

// FuzzReplyJSON checks the direct encoding of text replies against
// encoding/json, byte for byte.
func FuzzReplyJSON(f *testing.F) {
	for _, s := range replyJSONSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkReplyJSON(t, Reply{Text: s})
	})
}

// checkReplyJSON compares r.MarshalJSON with encoding/json on the wire
// shape, and appendJSON's output after a prefix with both.
func checkReplyJSON(t *testing.T, r Reply) {
	t.Helper()
	w := replyWire{Type: "message", Text: r.Text, Attachments: r.Attachments, Entities: r.Entities}
	if r.Text == "" {
		w.Summary = r.Summary
	}
	want, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.MarshalJSON()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%+v: got %s, %v; want %s", r, got, err, want)
	}
	got, err = r.appendJSON([]byte("prefix"))
	if err != nil || string(got) != "prefix"+string(want) {
		t.Fatalf("%+v: appended %s, %v; want prefix%s", r, got, err, want)
	}
}
