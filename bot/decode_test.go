package bot_test

import (
	stdjson "encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/outhook/outhook/bot"
)

var fixtures = []string{"channel-ping.json", "docs-example.json", "thread-deploy.json"}

// TestDecodeAgreesWithEncodingJSON guards the choice of decoder: on real
// payloads it must read exactly what encoding/json reads.
func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	for _, f := range fixtures {
		data := fixture(t, f)
		var got, want bot.Activity
		if err := bot.DecodeActivity(data, &got); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := stdjson.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v; want %+v", f, got, want)
		}
	}
}

func TestDecodeTolerance(t *testing.T) {
	tests := []struct {
		name, body, err string
	}{
		{"nulls everywhere", `{"type":"message","id":null,"from":null,"conversation":null,"entities":null,"attachments":[null],"channelData":null,"locale":null,"text":null}`, ""},
		{"unknown fields", `{"type":"message","futureField":{"a":[1,2]},"from":{"id":"29:x","extra":true}}`, ""},
		{"short timestamp", `{"type":"message","timestamp":"2017-02-01T21:10:07.437Z"}`, ""},
		{"empty object", `{}`, "not a message activity"},
		{"array", `[]`, "malformed activity"},
		{"truncated", `{"type":"message"`, "malformed activity"},
		{"duplicate type", `{"type":"typing","type":"message"}`, "malformed activity"},
		{"invalid utf-8", "{\"type\":\"message\",\"text\":\"\xff\"}", "malformed activity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a bot.Activity
			err := bot.DecodeActivity([]byte(tt.body), &a)
			if tt.err == "" && err != nil {
				t.Fatalf("got %v; want no error", err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("got %v; want %q", err, tt.err)
			}
		})
	}
}

// BenchmarkDecode compares the decoder outhook uses with encoding/json on
// a real 1.7 KB activity:
//
//	go test -run '^$' -bench Decode -benchmem ./bot
func BenchmarkDecode(b *testing.B) {
	data, err := readFixture("channel-ping.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var a bot.Activity
			if err := stdjson.Unmarshal(data, &a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("outhook", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var a bot.Activity
			if err := bot.DecodeActivity(data, &a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
