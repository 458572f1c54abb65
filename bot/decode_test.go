package bot_test

import (
	stdjson "encoding/json"
	"reflect"
	"strings"
	"testing"

	json "github.com/go-json-experiment/json"

	"github.com/outhook/outhook/bot"
)

// fixtures are real Teams activities; bench-payload.json is the body the
// load benchmark (/work/shared/bench) posts.
var fixtures = []string{"channel-ping.json", "docs-example.json", "thread-deploy.json", "bench-payload.json"}

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

// BenchmarkDecode compares the decoder outhook uses with encoding/json
// and with go-json-experiment alone (the reference DecodeActivity falls
// back to), on a real 2 KB activity (pretty-printed, channel-ping) and on
// the compact 1.7 KB body of the load benchmark (bench_payload):
//
//	go test -run '^$' -bench Decode -benchmem -count 5 ./bot
func BenchmarkDecode(b *testing.B) {
	for _, p := range []struct{ prefix, file string }{{"", "channel-ping.json"}, {"bench_payload/", "bench-payload.json"}} {
		data, err := readFixture(p.file)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(p.prefix+"encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var a bot.Activity
				if err := stdjson.Unmarshal(data, &a); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(p.prefix+"go_json_experiment", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var a bot.Activity
				if err := json.Unmarshal(data, &a); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(p.prefix+"outhook", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var a bot.Activity
				if err := bot.DecodeActivity(data, &a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
