package bot_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	json "github.com/go-json-experiment/json"

	"github.com/outhook/outhook/bot"
)

// checkFast runs the fast path on data and, when it claims the result,
// the reference decoder: the reference must succeed and agree. It also
// checks that the result does not alias data (a pooled buffer): the fast
// path runs on a copy that is scribbled over afterwards. It reports
// whether the fast path took data.
func checkFast(t *testing.T, data []byte) bool {
	t.Helper()
	buf := bytes.Clone(data)
	var got bot.Activity
	if !bot.DecodeFast(buf, &got) {
		return false
	}
	for i := range buf {
		buf[i] = 'x'
	}
	var want bot.Activity
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("fast path took %q, which the reference rejects: %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path differs on %q:\ngot  %#v\nwant %#v", data, got, want)
	}
	return true
}

// TestDecodeFastFixtures: every real payload takes the fast path and
// decodes exactly as the reference does.
func TestDecodeFastFixtures(t *testing.T) {
	for _, f := range fixtures {
		if !checkFast(t, fixture(t, f)) {
			t.Errorf("%s: fast path fell back", f)
		}
	}
}

// fastCases are variations of the bench payload: those the fast path must
// take (fast) and those it must leave to the reference. They seed
// FuzzDecodeFast too.
func fastCases(t testing.TB) (fast, slow [][]byte) {
	base, err := readFixture("bench-payload.json")
	if err != nil {
		t.Fatal(err)
	}
	b := string(base)
	rep := func(old, new string) []byte {
		if !strings.Contains(b, old) {
			t.Fatalf("bench payload has no %q", old)
		}
		return []byte(strings.Replace(b, old, new, 1))
	}
	text := `"text":"<at>Bot</at> ping"`
	ts := `"timestamp":"2024-10-30T12:37:37.3533542Z"`
	lts := `"localTimestamp":"2024-10-30T13:37:37.3533542+01:00"`
	fast = [][]byte{
		// escapes Teams sends in text
		rep(text, `"text":"<at>Bot<\/at> say \"hi\" \\ back\nnow\tand \u00e9\u00E9 \u20ac \ud83d\ude00 \u0000 \b\f\r"`),
		rep(text, `"text":"caf\u00e9"`),
		rep(`"name":"Zoë Müller"`, `"name":"O\u0027Brien, Siobh\u00e1n"`),
		// nulls
		rep(text, `"text":null`),
		rep(`"recipient":null`, `"recipient":{"id":"null","name":"null"}`),
		rep(`"recipient":null`, `"recipient":{}`),
		rep(ts, `"timestamp":null`),
		rep(`"isGroup":true`, `"isGroup":null`),
		rep(`"isGroup":true`, `"isGroup":false`),
		rep(`"attachments":[`, `"attachments":[null,`),
		rep(`"attachments":[`, `"attachments":[],"x":[`),
		[]byte(`{"type":"message","attachments":[],"entities":[]}`),
		[]byte(`{"type":"message","attachments":null,"entities":null,"from":null,"conversation":null,"channelData":null}`),
		[]byte(`{"type":"message","entities":[{"type":"mention","mentioned":null},null,{}]}`),
		[]byte(`{"type":"message","channelData":{"channel":null,"team":{},"tenant":{"id":null,"x":1}}}`),
		[]byte(`{}`),
		[]byte(" \t\r\n{\"type\":\"typing\"}\n "),
		// unknown members, nested, all kinds of values
		rep(`"code":null`, `"code":{"a":[1,-2.5e+3,0,-0.0,1E9,true,false,null,"s\"\u00e9",{"b":{"c":[]}},[]],"d":{}}`),
		rep(`"from":{`, `"from":{"x":{"id":1,"name":[]},`),
		// names are case-sensitive: case variants are unknown members
		rep(`"type":"message"`, `"Type":"message","TYPE":"message","type":"message"`),
		rep(`"text":"<at>Bot</at> ping"`, `"Text":1,"text":"<at>Bot</at> ping"`),
		// content as a card object, with whitespace kept as written
		rep(`"content":"<div>`, `"content":{ "type" : "AdaptiveCard", "body" : [ {"text":"a"} ] },"x":"<div>`),
		// timestamps with offsets and fractions
		rep(ts, `"timestamp":"2024-10-30T12:37:37Z"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:37.1Z"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:37.123456789Z"`),
		rep(lts, `"localTimestamp":"2024-10-30T18:07:37+05:30"`),
		rep(lts, `"localTimestamp":"2024-10-30T02:37:37.5-10:00"`),
		rep(lts, `"localTimestamp":"2024-10-30T12:37:37-00:00"`),
		rep(lts, `"localTimestamp":"2024-10-30T12:37:37+00:00"`),
		rep(lts, `"localTimestamp":"2024-10-31T02:37:37+14:00"`),
		rep(lts, `"localTimestamp":"2024-10-30T12:37:37+23:59"`),
		rep(ts, `"timestamp":"0000-01-01T00:00:00Z"`),
		// many entities and attachments: beyond the shared block, and
		// more strings than are gathered before they are built
		[]byte(`{"type":"message","attachments":[{},{},{"content":"x"},{}],"entities":[` +
			strings.Repeat(`{"type":"mention","mentioned":{"id":"a","name":"b"}},`, 5) + `{}]}`),
		[]byte(`{"type":"message","text":"t\u00e9xt","attachments":[` +
			strings.Repeat(`{"contentType":"image/png","contentUrl":"https://x/\u00e9.png","name":"n"},`, 5) +
			`{"contentType":"text/html","content":"<p>\"x\"</p>"}],"entities":[` +
			strings.Repeat(`{"type":"mention","mentioned":{"id":"29:a","name":"A \"B\""},"text":"<at>A</at>"},`, 12) +
			`{"type":"clientInfo","locale":"en-US","country":"US","platform":"Web","timezone":"Europe/Berlin"}]}`),
	}
	slow = [][]byte{
		nil,
		[]byte(``),
		[]byte(`null`),
		[]byte(`[]`),
		[]byte(`{"type":"message"} x`),
		[]byte(`{"type":"message"}{}`),
		[]byte("\xef\xbb\xbf{}"), // BOM
		base[:len(base)-1],
		base[:len(base)/2],
		base[:1],
		// duplicates, at any depth
		rep(`"type":"message"`, `"type":"message","type":"message"`),
		rep(`"code":null`, `"code":null,"code":null`),
		rep(`"code":null`, `"code":{"a":1,"a":2}`),
		rep(`"content":"<div>`, `"content":{"a":1,"b":{"a":1},"a":2},"x":"<div>`),
		rep(`"id":"1730291857353"`, `"id":null,"id":"1"`),
		rep(`"name":"Zoë Müller"`, `"name":"Zoë Müller","name":null`),
		// escaped names
		rep(`"type":"message"`, `"\u0074ype":"message"`),
		// bad UTF-8 and bad escapes
		rep(text, "\"text\":\"\xff\""),
		rep(text, "\"text\":\"caf\xc3\""),
		rep(`"code":null`, "\"code\":\"\xed\xa0\x80\""),
		rep(text, `"text":"\ud83d"`),
		rep(text, `"text":"\ude00\ud83d"`),
		rep(text, `"text":"\ud83d\u0041"`),
		rep(text, `"text":"\u00g0"`),
		rep(text, `"text":"\x"`),
		rep(text, "\"text\":\"tab\there\""),
		rep(`"code":null`, `"code":"\ud83d"`),
		// wrong types
		rep(`"id":"1730291857353"`, `"id":1730291857353`),
		rep(`"isGroup":true`, `"isGroup":"true"`),
		rep(`"isGroup":true`, `"isGroup":1`),
		rep(`"recipient":null`, `"recipient":"null"`),
		rep(`"attachments":[`, `"attachments":{"a":`),
		rep(`"from":{`, `"from":[{`),
		// bad numbers and literals in unknown members
		rep(`"code":null`, `"code":01`),
		rep(`"code":null`, `"code":1.`),
		rep(`"code":null`, `"code":-`),
		rep(`"code":null`, `"code":1e`),
		rep(`"code":null`, `"code":+1`),
		rep(`"code":null`, `"code":nul`),
		rep(`"code":null`, `"code":True`),
		rep(`"code":null`, `"code":[1,]`),
		rep(`"code":null`, `"code":{"a":1,}`),
		rep(`"code":null`, `"code":[1 2]`),
		// too deep for the fast path
		rep(`"code":null`, `"code":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)),
		// timestamps the fast path does not parse
		rep(ts, `"timestamp":"2024-10-30t12:37:37Z"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:37,5Z"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:37"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:37.Z"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:37.1234567891Z"`),
		rep(ts, `"timestamp":"2024-10-30T24:00:00Z"`),
		rep(ts, `"timestamp":"2024-02-30T12:37:37Z"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:60Z"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:37z"`),
		rep(lts, `"localTimestamp":"2024-10-30T12:37:37+24:00"`),
		rep(lts, `"localTimestamp":"2024-10-30T12:37:37+01:60"`),
		rep(lts, `"localTimestamp":"2024-10-30T12:37:37+0100"`),
		rep(ts, `"timestamp":"2024-10-30T12:37:37\u005a"`),
		rep(ts, `"timestamp":1730291857`),
	}
	return fast, slow
}

// TestDecodeFastCases: the shapes the fast path must take decode as the
// reference decodes them; the rest fall back (and do not panic).
func TestDecodeFastCases(t *testing.T) {
	fast, slow := fastCases(t)
	for _, data := range fast {
		if !checkFast(t, data) {
			t.Errorf("fast path fell back on %q", data)
		}
	}
	for _, data := range slow {
		if checkFast(t, data) {
			t.Errorf("fast path took %q", data)
		}
	}
}

// FuzzDecodeFast proves the fast path against the reference decoder:
// whenever decodeFast returns true, go-json-experiment succeeds on the
// same input and yields a reflect.DeepEqual Activity; on any input it
// neither panics nor aliases its input.
//
//	go test -run '^$' -fuzz FuzzDecodeFast -fuzztime 10m ./bot
func FuzzDecodeFast(f *testing.F) {
	for _, name := range fixtures {
		data, err := readFixture(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	fast, slow := fastCases(f)
	for _, data := range append(fast, slow...) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, data)
	})
}
