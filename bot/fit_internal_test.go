package bot

import (
	"encoding/json"
	"testing"
)

func TestEncodedLenMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " and \ backslash`, "<at>&amp;</at>", "\n\r\t\b\f\x00\x1f",
		"é世🎉", "\u2028\u2029", "bad \xff\xfe utf8", "\xe4\xb8", "mixed <é> & \"🎉\"\n",
	} {
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := encodedLen(s), len(data)-2; got != want {
			t.Errorf("encodedLen(%q) = %d; want %d", s, got, want)
		}
	}
}

func FuzzEncodedLen(f *testing.F) {
	f.Add("a<b>&\"\\\n\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		data, _ := json.Marshal(s)
		if got, want := encodedLen(s), len(data)-2; got != want {
			t.Fatalf("encodedLen(%q) = %d; want %d", s, got, want)
		}
		if p := prefixFor(s, len(data)/2); encodedLen(p) > len(data)/2 {
			t.Fatalf("prefixFor(%q, %d) = %q, too long", s, len(data)/2, p)
		}
	})
}

func TestOpenFence(t *testing.T) {
	tests := []struct{ in, want string }{
		{"text", ""},
		{"```go\ncode", "```"},
		{"```go\ncode\n```\nafter", ""},
		{"````\n```\nstill open", "````"},
		{"~~~\nx", "~~~"},
		{"   ```\nx", "```"},
		{"    ```\nindented code, not a fence", ""},
		{"``` not `a` fence\nx", ""},
		{"```\nx\n``` trailing", "```"},
	}
	for _, tt := range tests {
		if got := openFence(tt.in); got != tt.want {
			t.Errorf("openFence(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
