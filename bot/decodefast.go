package bot

import (
	"bytes"
	"math"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeFast decodes the shapes of activity Teams sends, several times
// faster than the reference decoder (go-json-experiment's json.Unmarshal
// with default options) and with three allocations. It reports whether it
// is sure of the result: when it returns true, a holds exactly
// (reflect.DeepEqual) what the reference yields for data, and the
// reference succeeds on data. For anything it is not sure about (any JSON
// error, an escaped member name, a number or a string where the other is
// expected, a timestamp that is not plain RFC 3339, nesting deeper than
// fastMaxDepth in an unknown member, too many unknown members) it returns
// false, possibly with a half-filled a, and the caller runs the reference.
// FuzzDecodeFast checks the claim differentially.
//
// data is a pooled buffer, so nothing may alias it. The strings a keeps
// are gathered while parsing (fastString) and copied, unescaped, into one
// new string at the end, which they are cut from: one allocation for all
// of them, and no copy of what a drops (member names, unknown members,
// whitespace). Attachments, entities and the accounts they point to share
// one more allocation (fastBlock) in the usual case; the RawJSON of each
// attachment is its own copy.
//
// It mirrors these reference semantics: member names are case-sensitive;
// duplicate names are an error, in unknown members too; invalid UTF-8 is
// an error; unknown members are skipped but must be valid JSON; null
// leaves the zero value (nil for pointers and slices, while [] is an empty
// non-nil slice); the input is exactly one JSON value with whitespace
// around it; RawJSON gets a copy of the value's bytes as written.
func decodeFast(data []byte, a *Activity) bool {
	if len(data) > math.MaxInt32 || !utf8.Valid(data) {
		return false // invalid UTF-8 is an error everywhere, in strings and out
	}
	d := fastDecoder{data: data}
	*a = Activity{}
	if !d.activity(a) {
		return false
	}
	d.ws()
	if d.i != len(d.data) {
		return false
	}
	d.flush()
	return true
}

// fastMaxDepth bounds the nesting of the unknown values decodeFast skips;
// deeper input is left to the reference decoder.
const fastMaxDepth = 64

// fastDecoder is the state of one decodeFast call.
type fastDecoder struct {
	data []byte // the input; read during the call, never retained
	i    int    // the read offset
	blk  *fastBlock
	nacc int // accounts of blk in use

	// strs are the strings read and not yet built: see flush.
	strs  [32]fastString
	nstrs int

	// names holds the unknown member names (offsets into data) of the
	// objects being read, innermost last: see nameSet.
	names  [64][2]int32
	nnames int
}

// fastString is a string member value to be built: the JSON string
// contents data[start:end], with escapes or not, for *dst.
type fastString struct {
	dst        *string
	start, end int32
	escaped    bool
}

// fastBlock holds the elements of the usual activity in one allocation:
// the text/html attachment (and an image), the clientInfo and mention
// entities and the accounts mentioned. Larger activities append beyond it.
type fastBlock struct {
	att [2]Attachment
	ent [3]Entity
	acc [3]Account
}

func (d *fastDecoder) block() *fastBlock {
	if d.blk == nil {
		d.blk = new(fastBlock)
	}
	return d.blk
}

func (d *fastDecoder) newAccount() *Account {
	b := d.block()
	if d.nacc < len(b.acc) {
		d.nacc++
		return &b.acc[d.nacc-1]
	}
	return new(Account)
}

// addString notes the JSON string contents data[start:end] for *dst.
func (d *fastDecoder) addString(dst *string, start, end int, escaped bool) {
	if start == end {
		return // *dst is "" already
	}
	if d.nstrs == len(d.strs) {
		d.flush()
	}
	d.strs[d.nstrs] = fastString{dst, int32(start), int32(end), escaped}
	d.nstrs++
}

// flush builds the strings noted so far: one string holds them all,
// unescaped, and each destination gets its part. It must run before a
// slice that holds a destination grows (and moves).
func (d *fastDecoder) flush() {
	strs := d.strs[:d.nstrs]
	d.nstrs = 0
	n := 0
	for _, p := range strs {
		n += int(p.end - p.start) // unescaping only shrinks
	}
	if n == 0 {
		return
	}
	var b strings.Builder
	b.Grow(n)
	for k := range strs {
		p := &strs[k]
		from := b.Len()
		if p.escaped {
			unescape(&b, d.data[p.start:p.end])
		} else {
			b.Write(d.data[p.start:p.end])
		}
		p.start, p.end = int32(from), int32(b.Len())
	}
	all := b.String()
	for _, p := range strs {
		*p.dst = all[p.start:p.end]
	}
}

// ws skips whitespace.
func (d *fastDecoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips whitespace and returns the next byte, or 0 at the end.
func (d *fastDecoder) next() byte {
	if d.i < len(d.data) && d.data[d.i] > ' ' {
		return d.data[d.i] // compact JSON has no whitespace
	}
	d.ws()
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

// lit reads the literal w (true, false or null).
func (d *fastDecoder) lit(w string) bool {
	if len(d.data)-d.i >= len(w) && string(d.data[d.i:d.i+len(w)]) == w {
		d.i += len(w)
		return true
	}
	return false
}

// member reads the next member name of an object whose '{' has been read,
// and the colon after it; n is the number of members read before. It
// reports end when the object closes instead. Names with escapes are not
// decoded (ok is false).
func (d *fastDecoder) member(n int) (start, stop int, end, ok bool) {
	c := d.next()
	if c == '}' {
		d.i++
		return 0, 0, true, true
	}
	if n > 0 {
		if c != ',' {
			return 0, 0, false, false
		}
		d.i++
		c = d.next()
	}
	if c != '"' {
		return 0, 0, false, false
	}
	start = d.i + 1
	stop, escaped, ok := d.scanString(start)
	if !ok || escaped {
		return 0, 0, false, false
	}
	d.i = stop + 1
	if d.next() != ':' {
		return 0, 0, false, false
	}
	d.i++
	return start, stop, false, true
}

// element reads up to the next element of an array whose '[' has been
// read; n is the number of elements read before. It reports end when the
// array closes instead.
func (d *fastDecoder) element(n int) (end, ok bool) {
	c := d.next()
	if c == ']' {
		d.i++
		return true, true
	}
	if n > 0 {
		if c != ',' {
			return false, false
		}
		d.i++
	}
	return false, true
}

// object reads the '{' of an object, or null. It reports whether there
// is an object whose members follow.
func (d *fastDecoder) object() (open, ok bool) {
	switch d.next() {
	case '{':
		d.i++
		return true, true
	case 'n':
		return false, d.lit("null")
	}
	return false, false
}

// nameSet is the set of unknown member names of one object, to find
// duplicates: a 64-bit filter first, comparisons only on a hit. The names
// live on the decoder's stack of names (fastDecoder.names), from base on.
type nameSet struct {
	filter uint64
	base   int
}

func (d *fastDecoder) nameSet() nameSet { return nameSet{base: d.nnames} }

// drop pops the names of an object that has been read.
func (d *fastDecoder) drop(ns nameSet) { d.nnames = ns.base }

// addName adds the unknown member name data[start:stop] to ns, and reports
// false for a duplicate (or when there are too many names to track).
func (d *fastDecoder) addName(ns *nameSet, start, stop int) bool {
	name := d.data[start:stop]
	h := uint(len(name))
	if len(name) > 0 {
		h = h*31 + uint(name[0])*7 + uint(name[len(name)-1]) + uint(name[len(name)/2])*3
	}
	bit := uint64(1) << (h & 63)
	if ns.filter&bit != 0 {
		for _, x := range d.names[ns.base:d.nnames] {
			if bytes.Equal(d.data[x[0]:x[1]], name) {
				return false
			}
		}
	}
	if d.nnames == len(d.names) {
		return false // more unknown members than decodeFast bothers with
	}
	ns.filter |= bit
	d.names[d.nnames] = [2]int32{int32(start), int32(stop)}
	d.nnames++
	return true
}

// strSpecial marks the bytes that end a run of plain string contents.
var strSpecial = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 1
	}
	t['"'], t['\\'] = 1, 1
	return t
}()

// scanString validates the JSON string whose contents start at start (after
// the opening quote) and returns the offset of its closing quote and
// whether it has escapes. Escapes must be valid, with \u surrogates in
// pairs; control characters are invalid. (UTF-8 was validated up front.)
func (d *fastDecoder) scanString(start int) (stop int, escaped, ok bool) {
	s := d.data
	j := start
	for {
		// Four bytes a step: one branch for four (eight is slower).
		for j+4 <= len(s) && strSpecial[s[j]]|strSpecial[s[j+1]]|strSpecial[s[j+2]]|strSpecial[s[j+3]] == 0 {
			j += 4
		}
		for j < len(s) && strSpecial[s[j]] == 0 {
			j++
		}
		if j >= len(s) {
			return 0, false, false
		}
		switch s[j] {
		case '"':
			return j, escaped, true
		case '\\':
		default:
			return 0, false, false // a control character
		}
		escaped = true
		if j+1 >= len(s) {
			return 0, false, false
		}
		switch s[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j += 2
		case 'u':
			_, n := unescapeU(s[j:])
			if n == 0 {
				return 0, false, false
			}
			j += n
		default:
			return 0, false, false
		}
	}
}

// unescapeU decodes the \uXXXX escape (or surrogate pair of them) at the
// start of s and returns the rune and the bytes it takes, or n = 0 when it
// is not valid.
func unescapeU(s []byte) (r rune, n int) {
	r1, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r1) {
		return r1, 6
	}
	r2, ok := hex4(s[6:])
	if !ok {
		return 0, 0
	}
	r = utf16.DecodeRune(r1, r2)
	if r == utf8.RuneError {
		return 0, 0
	}
	return r, 12
}

// hex4 decodes the "\uXXXX" at the start of s.
func hex4(s []byte) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// str reads a string or null into p (when flush runs).
func (d *fastDecoder) str(p *string) bool {
	switch d.next() {
	case '"':
		start := d.i + 1
		stop, escaped, ok := d.scanString(start)
		if !ok {
			return false
		}
		d.i = stop + 1
		d.addString(p, start, stop, escaped)
		return true
	case 'n':
		return d.lit("null")
	}
	return false
}

// unescape writes the decoded contents of a JSON string that scanString
// validated.
func unescape(b *strings.Builder, s []byte) {
	for len(s) > 0 {
		k := bytes.IndexByte(s, '\\')
		if k < 0 {
			b.Write(s)
			return
		}
		b.Write(s[:k])
		s = s[k:]
		if len(s) < 2 {
			return // not reached: scanString validated s
		}
		switch c := s[1]; c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := unescapeU(s)
			if n == 0 {
				n = 2 // not reached: scanString validated s
			}
			b.WriteRune(r)
			s = s[n:]
			continue
		default: // '"', '\\', '/'
			b.WriteByte(c)
		}
		s = s[2:]
	}
}

// boolean reads true, false or null into p.
func (d *fastDecoder) boolean(p *bool) bool {
	switch d.next() {
	case 't':
		*p = true
		return d.lit("true")
	case 'f':
		return d.lit("false")
	case 'n':
		return d.lit("null")
	}
	return false
}

// time reads an RFC 3339 timestamp or null into p. It takes only
// "2006-01-02T15:04:05[.fraction]" with "Z" or a "±hh:mm" offset (hh < 24,
// mm < 60), which the reference accepts whenever time.Time.UnmarshalText
// does, and then uses that same method on the same bytes.
func (d *fastDecoder) time(p *time.Time) bool {
	switch d.next() {
	case '"':
		start := d.i + 1
		stop, escaped, ok := d.scanString(start)
		if !ok || escaped || !plainRFC3339(d.data[start:stop]) {
			return false
		}
		d.i = stop + 1
		return p.UnmarshalText(d.data[start:stop]) == nil
	case 'n':
		return d.lit("null")
	}
	return false
}

// plainRFC3339 reports whether s has the shape
// 2006-01-02T15:04:05[.1-9 digits](Z|±hh:mm) with hh < 24 and mm < 60.
func plainRFC3339(s []byte) bool {
	const layout = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(layout)+1 {
		return false
	}
	for k := 0; k < len(layout); k++ {
		if layout[k] == 'd' {
			if !isDigit(s[k]) {
				return false
			}
		} else if s[k] != layout[k] {
			return false
		}
	}
	rest := s[len(layout):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 1 || n > 10 {
			return false
		}
		rest = rest[n:]
	}
	switch {
	case len(rest) == 1 && rest[0] == 'Z':
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
		isDigit(rest[1]) && isDigit(rest[2]) && isDigit(rest[4]) && isDigit(rest[5]):
		return (rest[1]-'0')*10+rest[2]-'0' < 24 && rest[4] < '6'
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skip validates and skips any JSON value, checking object member names for
// duplicates as the reference does at every depth.
func (d *fastDecoder) skip(depth int) bool {
	if depth > fastMaxDepth {
		return false
	}
	switch d.next() {
	case '{':
		d.i++
		names := d.nameSet()
		for n := 0; ; n++ {
			start, stop, end, ok := d.member(n)
			if !ok {
				return false
			}
			if end {
				d.drop(names)
				return true
			}
			if !d.addName(&names, start, stop) || !d.skip(depth+1) {
				return false
			}
		}
	case '[':
		d.i++
		for n := 0; ; n++ {
			end, ok := d.element(n)
			if !ok {
				return false
			}
			if end {
				return true
			}
			if !d.skip(depth + 1) {
				return false
			}
		}
	case '"':
		stop, _, ok := d.scanString(d.i + 1)
		d.i = stop + 1
		return ok
	case 't':
		return d.lit("true")
	case 'f':
		return d.lit("false")
	case 'n':
		return d.lit("null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return d.number()
	}
	return false
}

// number skips a JSON number.
func (d *fastDecoder) number() bool {
	s, i := d.data, d.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i >= len(s):
		return false
	case s[i] == '0':
		i++
	case isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return false
		}
	}
	d.i = i
	return true
}

// raw copies the next value, as written, into p; null leaves p nil.
func (d *fastDecoder) raw(p *RawJSON) bool {
	if d.next() == 'n' {
		return d.lit("null")
	}
	start := d.i
	if !d.skip(0) {
		return false
	}
	*p = append(RawJSON(nil), d.data[start:d.i]...)
	return true
}

// Member names in the order Teams writes them, so that fields can guess
// the next one. The unknown members Teams always sends are listed too (and
// skipped), which finds their duplicates with a bit each.
var (
	activityNames = [...]string{
		"type", "id", "timestamp", "localTimestamp", "serviceUrl", "channelId", "from",
		"conversation", "recipient", "textFormat", "attachmentLayout", "membersAdded",
		"membersRemoved", "topicName", "historyDisclosed", "locale", "text", "speak",
		"inputHint", "summary", "suggestedActions", "attachments", "entities",
		"channelData", "action", "replyToId", "value", "name", "relatesTo", "code",
	}
	accountNames      = [...]string{"id", "name", "aadObjectId"}
	conversationNames = [...]string{"isGroup", "id", "name", "conversationType", "tenantId"}
	attachmentNames   = [...]string{"contentType", "contentUrl", "content", "name", "thumbnailUrl"}
	entityNames       = [...]string{"type", "mentioned", "text", "locale", "country", "platform", "timezone"}
	channelDataNames  = [...]string{"teamsChannelId", "teamsTeamId", "channel", "team", "tenant"}
	idRefNames        = [...]string{"id"}
)

// field reads the next member name of an object whose '{' has been read
// and the colon after it, as member does, and returns the name's index in
// names, or -1 for an unknown name data[start:stop]. guess is the index
// expected: when the input has that name, it is compared once instead of
// scanned.
func (d *fastDecoder) field(n int, names []string, guess int) (k, start, stop int, end, ok bool) {
	c := d.next()
	if c == '}' {
		d.i++
		return 0, 0, 0, true, true
	}
	if n > 0 {
		if c != ',' {
			return 0, 0, 0, false, false
		}
		d.i++
		c = d.next()
	}
	if c != '"' {
		return 0, 0, 0, false, false
	}
	start, k = d.i+1, -1
	if guess < len(names) {
		// The table's names hold no '"', '\\' or control characters,
		// so the input's name is exactly names[guess].
		g := names[guess]
		if stop = start + len(g); stop < len(d.data) && d.data[stop] == '"' && string(d.data[start:stop]) == g {
			k, d.i = guess, stop+1
		}
	}
	if k < 0 {
		var escaped bool
		stop, escaped, ok = d.scanString(start)
		if !ok || escaped {
			return 0, 0, 0, false, false
		}
		d.i = stop + 1
		for j, x := range names {
			if string(d.data[start:stop]) == x {
				k = j
				break
			}
		}
	}
	if d.next() != ':' {
		return 0, 0, 0, false, false
	}
	d.i++
	return k, start, stop, false, true
}

// fields reads an object, or null, whose members are names: value reads
// the value of names[k]; unknown names are skipped. Duplicate names are
// rejected.
func (d *fastDecoder) fields(names []string, value func(k int) bool) bool {
	open, ok := d.object()
	if !open {
		return ok
	}
	unknown := d.nameSet()
	var seen uint64
	guess := 0
	for n := 0; ; n++ {
		k, start, stop, end, ok := d.field(n, names, guess)
		if !ok {
			return false
		}
		if end {
			d.drop(unknown)
			return true
		}
		if k < 0 {
			if !d.addName(&unknown, start, stop) || !d.skip(1) {
				return false
			}
			continue
		}
		if seen&(1<<k) != 0 {
			return false
		}
		seen |= 1 << k
		guess = k + 1
		if !value(k) {
			return false
		}
	}
}

func (d *fastDecoder) activity(a *Activity) bool {
	if d.next() != '{' {
		return false
	}
	return d.fields(activityNames[:], func(k int) bool {
		switch k {
		case 0:
			return d.str(&a.Type)
		case 1:
			return d.str(&a.ID)
		case 2:
			return d.time(&a.Timestamp)
		case 3:
			return d.time(&a.LocalTimestamp)
		case 4:
			return d.str(&a.ServiceURL)
		case 5:
			return d.str(&a.ChannelID)
		case 6:
			return d.account(&a.From)
		case 7:
			return d.conversation(&a.Conversation)
		case 8:
			return d.accountPtr(&a.Recipient)
		case 9:
			return d.str(&a.TextFormat)
		case 15:
			return d.str(&a.Locale)
		case 16:
			return d.str(&a.Text)
		case 21:
			return d.attachments(&a.Attachments)
		case 22:
			return d.entities(&a.Entities)
		case 23:
			return d.channelData(&a.ChannelData)
		case 25:
			return d.str(&a.ReplyToID)
		}
		return d.skip(1) // a member Teams sends that Activity does not model
	})
}

func (d *fastDecoder) account(p *Account) bool {
	return d.fields(accountNames[:], func(k int) bool {
		switch k {
		case 0:
			return d.str(&p.ID)
		case 1:
			return d.str(&p.Name)
		default:
			return d.str(&p.AADObjectID)
		}
	})
}

func (d *fastDecoder) accountPtr(p **Account) bool {
	switch d.next() {
	case '{':
		*p = d.newAccount()
		return d.account(*p)
	case 'n':
		return d.lit("null")
	}
	return false
}

func (d *fastDecoder) conversation(p *Conversation) bool {
	return d.fields(conversationNames[:], func(k int) bool {
		switch k {
		case 0:
			return d.boolean(&p.IsGroup)
		case 1:
			return d.str(&p.ID)
		case 2:
			return d.str(&p.Name)
		case 3:
			return d.str(&p.ConversationType)
		default:
			return d.str(&p.TenantID)
		}
	})
}

func (d *fastDecoder) attachments(p *[]Attachment) bool {
	return fastArray(d, p, func() []Attachment { return d.block().att[:0] }, d.attachment)
}

// fastArray decodes a JSON array (or null) into *p, each element with
// elem; first gives the backing store of the usual few elements.
func fastArray[T any](d *fastDecoder, p *[]T, first func() []T, elem func(*T) bool) bool {
	switch d.next() {
	case 'n':
		return d.lit("null")
	case '[':
		d.i++
	default:
		return false
	}
	for n := 0; ; n++ {
		end, ok := d.element(n)
		if !ok {
			return false
		}
		if end {
			if *p == nil {
				*p = []T{} // [] is an empty slice, not nil
			}
			return true
		}
		if *p == nil {
			*p = first()
		}
		if len(*p) == cap(*p) {
			d.flush() // the strings noted for *p's elements, before they move
		}
		var zero T
		*p = append(*p, zero)
		if !elem(&(*p)[len(*p)-1]) {
			return false
		}
	}
}

func (d *fastDecoder) attachment(p *Attachment) bool {
	return d.fields(attachmentNames[:], func(k int) bool {
		switch k {
		case 0:
			return d.str(&p.ContentType)
		case 1:
			return d.str(&p.ContentURL)
		case 2:
			return d.raw(&p.Content)
		case 3:
			return d.str(&p.Name)
		default:
			return d.str(&p.ThumbnailURL)
		}
	})
}

func (d *fastDecoder) entities(p *[]Entity) bool {
	return fastArray(d, p, func() []Entity { return d.block().ent[:0] }, d.entity)
}

func (d *fastDecoder) entity(p *Entity) bool {
	return d.fields(entityNames[:], func(k int) bool {
		switch k {
		case 0:
			return d.str(&p.Type)
		case 1:
			return d.accountPtr(&p.Mentioned)
		case 2:
			return d.str(&p.Text)
		case 3:
			return d.str(&p.Locale)
		case 4:
			return d.str(&p.Country)
		case 5:
			return d.str(&p.Platform)
		default:
			return d.str(&p.Timezone)
		}
	})
}

func (d *fastDecoder) channelData(p *ChannelData) bool {
	return d.fields(channelDataNames[:], func(k int) bool {
		switch k {
		case 0:
			return d.str(&p.TeamsChannelID)
		case 1:
			return d.str(&p.TeamsTeamID)
		case 2:
			return d.idRef(&p.Channel)
		case 3:
			return d.idRef(&p.Team)
		default:
			return d.idRef(&p.Tenant)
		}
	})
}

func (d *fastDecoder) idRef(p *IDRef) bool {
	return d.fields(idRefNames[:], func(int) bool { return d.str(&p.ID) })
}
