package bot

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeFast decodes the shapes of activity Teams sends, about six times
// faster than the reference decoder (go-json-experiment's json.Unmarshal
// with default options) and with at most a handful of allocations. It
// reports whether it is sure of the result: when it returns true, a holds
// exactly (reflect.DeepEqual) what the reference yields for data, and the
// reference succeeds on data. For anything it is not sure about (any JSON
// error, an escaped member name, a number or a string where the other is
// expected, a timestamp that is not plain RFC 3339, nesting deeper than
// fastMaxDepth in an unknown member, too many unknown members) it returns
// false, possibly with a half-filled a, and the caller runs the reference.
// FuzzDecodeFast checks the claim differentially.
//
// Strings are substrings of one copy of data (data itself is a pooled
// buffer and must not be aliased); only strings with escapes are built
// anew. Attachments, entities and the accounts they point to share one
// small allocation (fastBlock) in the usual case.
//
// It mirrors these reference semantics: member names are case-sensitive;
// duplicate names are an error, in unknown members too; invalid UTF-8 is
// an error; unknown members are skipped but must be valid JSON; null
// leaves the zero value (nil for pointers and slices, while [] is an empty
// non-nil slice); the input is exactly one JSON value with whitespace
// around it; RawJSON gets a copy of the value's bytes as written.
func decodeFast(data []byte, a *Activity) bool {
	if !utf8.Valid(data) {
		return false // an error everywhere: in strings and outside them
	}
	d := fastDecoder{data: data, s: string(data)}
	*a = Activity{}
	if !d.activity(a) {
		return false
	}
	d.ws()
	return d.i == len(d.s)
}

// fastMaxDepth bounds the nesting of the unknown values decodeFast skips;
// deeper input is left to the reference decoder.
const fastMaxDepth = 64

// fastDecoder is the state of one decodeFast call.
type fastDecoder struct {
	data []byte // the input; read during the call, never retained
	s    string // a copy of data, which decoded strings are cut from
	i    int    // the read offset into data and s
	blk  *fastBlock
	nacc int // accounts of blk in use

	// nameStack holds the unknown member names of the objects being read,
	// innermost last: see nameSet.
	nameStack [64]string
	nnames    int
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

// ws skips whitespace.
func (d *fastDecoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips whitespace and returns the next byte, or 0 at the end.
func (d *fastDecoder) next() byte {
	d.ws()
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// lit reads the literal w (true, false or null).
func (d *fastDecoder) lit(w string) bool {
	if strings.HasPrefix(d.s[d.i:], w) {
		d.i += len(w)
		return true
	}
	return false
}

// member reads the next member name of an object whose '{' has been read,
// and the colon after it; n is the number of members read before. It
// reports end when the object closes instead. Names with escapes are not
// decoded (ok is false).
func (d *fastDecoder) member(n int) (name string, end, ok bool) {
	c := d.next()
	if c == '}' {
		d.i++
		return "", true, true
	}
	if n > 0 {
		if c != ',' {
			return "", false, false
		}
		d.i++
		c = d.next()
	}
	if c != '"' {
		return "", false, false
	}
	start := d.i + 1
	stop, escaped, ok := d.scanString(start)
	if !ok || escaped {
		return "", false, false
	}
	d.i = stop + 1
	if d.next() != ':' {
		return "", false, false
	}
	d.i++
	return d.s[start:stop], false, true
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

func (d *fastDecoder) names() nameSet { return nameSet{base: d.nnames} }

// drop pops the names of an object that has been read.
func (d *fastDecoder) drop(ns nameSet) { d.nnames = ns.base }

// addName adds the unknown member name of the object of ns, and reports
// false for a duplicate (or when there are too many names to track).
func (d *fastDecoder) addName(ns *nameSet, name string) bool {
	h := uint(len(name))
	if len(name) > 0 {
		h = h*31 + uint(name[0])*7 + uint(name[len(name)-1]) + uint(name[len(name)/2])*3
	}
	bit := uint64(1) << (h & 63)
	if ns.filter&bit != 0 {
		for _, x := range d.nameStack[ns.base:d.nnames] {
			if x == name {
				return false
			}
		}
	}
	if d.nnames == len(d.nameStack) {
		return false // more unknown members than decodeFast bothers with
	}
	ns.filter |= bit
	d.nameStack[d.nnames] = name
	d.nnames++
	return true
}

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// swarSpecial returns the index of the first of the 8 bytes of x (in
// little-endian order) that is a '"', a '\\' or a control character, or 8.
// The bit tricks may flag bytes above a true match, never below one, so the
// lowest flag is exact.
func swarSpecial(x uint64) int {
	q := x ^ ('"' * swarOnes)
	b := x ^ ('\\' * swarOnes)
	m := ((q-swarOnes)&^q | (b-swarOnes)&^b | (x-0x20*swarOnes)&^x) & swarHighs
	return bits.TrailingZeros64(m) >> 3
}

// scanString validates the JSON string whose contents start at start (after
// the opening quote) and returns the offset of its closing quote and
// whether it has escapes. Escapes must be valid, with \u surrogates in
// pairs; control characters are invalid. (UTF-8 was validated up front.)
func (d *fastDecoder) scanString(start int) (stop int, escaped, ok bool) {
	s := d.s
	j := start
	for {
		for j+8 <= len(d.data) {
			k := swarSpecial(binary.LittleEndian.Uint64(d.data[j:]))
			j += k
			if k < 8 {
				break
			}
		}
		if j >= len(s) {
			return 0, false, false
		}
		switch c := s[j]; {
		case c == '"':
			return j, escaped, true
		case c < 0x20:
			return 0, false, false
		case c != '\\':
			j++
			continue
		}
		escaped = true
		if j+1 >= len(s) {
			return 0, false, false
		}
		switch s[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j += 2
		case 'u':
			r, n := unescapeU(s[j:])
			if n == 0 {
				return 0, false, false
			}
			_ = r
			j += n
		default:
			return 0, false, false
		}
	}
}

// unescapeU decodes the \uXXXX escape (or surrogate pair of them) at the
// start of s and returns the rune and the bytes it takes, or n = 0 when it
// is not valid.
func unescapeU(s string) (r rune, n int) {
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
func hex4(s string) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
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

// str reads a string or null into p.
func (d *fastDecoder) str(p *string) bool {
	switch d.next() {
	case '"':
		start := d.i + 1
		stop, escaped, ok := d.scanString(start)
		if !ok {
			return false
		}
		d.i = stop + 1
		if !escaped {
			*p = d.s[start:stop]
			return true
		}
		*p = unescape(d.s[start:stop])
		return true
	case 'n':
		return d.lit("null")
	}
	return false
}

// unescape decodes the contents of a JSON string that scanString
// validated.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s)) // unescaping only shrinks
	for len(s) > 0 {
		k := strings.IndexByte(s, '\\')
		if k < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:k])
		s = s[k:]
		if len(s) < 2 {
			break // not reached: scanString validated s
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
	return b.String()
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
		if !ok || escaped || !plainRFC3339(d.s[start:stop]) {
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
func plainRFC3339(s string) bool {
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
	case rest == "Z":
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
		names := d.names()
		for n := 0; ; n++ {
			name, end, ok := d.member(n)
			if !ok {
				return false
			}
			if end {
				d.drop(names)
				return true
			}
			if !d.addName(&names, name) || !d.skip(depth+1) {
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
	s, i := d.s, d.i
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

func (d *fastDecoder) activity(a *Activity) bool {
	if d.next() != '{' {
		return false
	}
	d.i++
	var seen uint32
	unknown := d.names()
	for n := 0; ; n++ {
		name, end, ok := d.member(n)
		if !ok {
			return false
		}
		if end {
			d.drop(unknown)
			return true
		}
		var bit uint32
		switch name {
		case "type":
			bit, ok = 1<<0, d.str(&a.Type)
		case "id":
			bit, ok = 1<<1, d.str(&a.ID)
		case "timestamp":
			bit, ok = 1<<2, d.time(&a.Timestamp)
		case "localTimestamp":
			bit, ok = 1<<3, d.time(&a.LocalTimestamp)
		case "serviceUrl":
			bit, ok = 1<<4, d.str(&a.ServiceURL)
		case "channelId":
			bit, ok = 1<<5, d.str(&a.ChannelID)
		case "from":
			bit, ok = 1<<6, d.account(&a.From)
		case "conversation":
			bit, ok = 1<<7, d.conversation(&a.Conversation)
		case "recipient":
			bit, ok = 1<<8, d.accountPtr(&a.Recipient)
		case "textFormat":
			bit, ok = 1<<9, d.str(&a.TextFormat)
		case "text":
			bit, ok = 1<<10, d.str(&a.Text)
		case "locale":
			bit, ok = 1<<11, d.str(&a.Locale)
		case "attachments":
			bit, ok = 1<<12, d.attachments(&a.Attachments)
		case "entities":
			bit, ok = 1<<13, d.entities(&a.Entities)
		case "channelData":
			bit, ok = 1<<14, d.channelData(&a.ChannelData)
		case "replyToId":
			bit, ok = 1<<15, d.str(&a.ReplyToID)
		default:
			ok = d.addName(&unknown, name) && d.skip(1)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}

func (d *fastDecoder) account(p *Account) bool {
	open, ok := d.object()
	if !open {
		return ok
	}
	var seen uint32
	unknown := d.names()
	for n := 0; ; n++ {
		name, end, ok := d.member(n)
		if !ok {
			return false
		}
		if end {
			d.drop(unknown)
			return true
		}
		var bit uint32
		switch name {
		case "id":
			bit, ok = 1<<0, d.str(&p.ID)
		case "name":
			bit, ok = 1<<1, d.str(&p.Name)
		case "aadObjectId":
			bit, ok = 1<<2, d.str(&p.AADObjectID)
		default:
			ok = d.addName(&unknown, name) && d.skip(3)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
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
	open, ok := d.object()
	if !open {
		return ok
	}
	var seen uint32
	unknown := d.names()
	for n := 0; ; n++ {
		name, end, ok := d.member(n)
		if !ok {
			return false
		}
		if end {
			d.drop(unknown)
			return true
		}
		var bit uint32
		switch name {
		case "id":
			bit, ok = 1<<0, d.str(&p.ID)
		case "isGroup":
			bit, ok = 1<<1, d.boolean(&p.IsGroup)
		case "conversationType":
			bit, ok = 1<<2, d.str(&p.ConversationType)
		case "name":
			bit, ok = 1<<3, d.str(&p.Name)
		case "tenantId":
			bit, ok = 1<<4, d.str(&p.TenantID)
		default:
			ok = d.addName(&unknown, name) && d.skip(2)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}

func (d *fastDecoder) attachments(p *[]Attachment) bool {
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
				*p = []Attachment{} // [] is an empty slice, not nil
			}
			return true
		}
		if *p == nil {
			*p = d.block().att[:0]
		}
		*p = append(*p, Attachment{})
		if !d.attachment(&(*p)[len(*p)-1]) {
			return false
		}
	}
}

func (d *fastDecoder) attachment(p *Attachment) bool {
	open, ok := d.object()
	if !open {
		return ok
	}
	var seen uint32
	unknown := d.names()
	for n := 0; ; n++ {
		name, end, ok := d.member(n)
		if !ok {
			return false
		}
		if end {
			d.drop(unknown)
			return true
		}
		var bit uint32
		switch name {
		case "contentType":
			bit, ok = 1<<0, d.str(&p.ContentType)
		case "contentUrl":
			bit, ok = 1<<1, d.str(&p.ContentURL)
		case "content":
			bit, ok = 1<<2, d.raw(&p.Content)
		case "name":
			bit, ok = 1<<3, d.str(&p.Name)
		case "thumbnailUrl":
			bit, ok = 1<<4, d.str(&p.ThumbnailURL)
		default:
			ok = d.addName(&unknown, name) && d.skip(3)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}

func (d *fastDecoder) entities(p *[]Entity) bool {
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
				*p = []Entity{} // [] is an empty slice, not nil
			}
			return true
		}
		if *p == nil {
			*p = d.block().ent[:0]
		}
		*p = append(*p, Entity{})
		if !d.entity(&(*p)[len(*p)-1]) {
			return false
		}
	}
}

func (d *fastDecoder) entity(p *Entity) bool {
	open, ok := d.object()
	if !open {
		return ok
	}
	var seen uint32
	unknown := d.names()
	for n := 0; ; n++ {
		name, end, ok := d.member(n)
		if !ok {
			return false
		}
		if end {
			d.drop(unknown)
			return true
		}
		var bit uint32
		switch name {
		case "type":
			bit, ok = 1<<0, d.str(&p.Type)
		case "mentioned":
			bit, ok = 1<<1, d.accountPtr(&p.Mentioned)
		case "text":
			bit, ok = 1<<2, d.str(&p.Text)
		case "locale":
			bit, ok = 1<<3, d.str(&p.Locale)
		case "country":
			bit, ok = 1<<4, d.str(&p.Country)
		case "platform":
			bit, ok = 1<<5, d.str(&p.Platform)
		case "timezone":
			bit, ok = 1<<6, d.str(&p.Timezone)
		default:
			ok = d.addName(&unknown, name) && d.skip(3)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}

func (d *fastDecoder) channelData(p *ChannelData) bool {
	open, ok := d.object()
	if !open {
		return ok
	}
	var seen uint32
	unknown := d.names()
	for n := 0; ; n++ {
		name, end, ok := d.member(n)
		if !ok {
			return false
		}
		if end {
			d.drop(unknown)
			return true
		}
		var bit uint32
		switch name {
		case "teamsChannelId":
			bit, ok = 1<<0, d.str(&p.TeamsChannelID)
		case "teamsTeamId":
			bit, ok = 1<<1, d.str(&p.TeamsTeamID)
		case "channel":
			bit, ok = 1<<2, d.idRef(&p.Channel)
		case "team":
			bit, ok = 1<<3, d.idRef(&p.Team)
		case "tenant":
			bit, ok = 1<<4, d.idRef(&p.Tenant)
		default:
			ok = d.addName(&unknown, name) && d.skip(2)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}

func (d *fastDecoder) idRef(p *IDRef) bool {
	open, ok := d.object()
	if !open {
		return ok
	}
	var seen uint32
	unknown := d.names()
	for n := 0; ; n++ {
		name, end, ok := d.member(n)
		if !ok {
			return false
		}
		if end {
			d.drop(unknown)
			return true
		}
		var bit uint32
		switch name {
		case "id":
			bit, ok = 1<<0, d.str(&p.ID)
		default:
			ok = d.addName(&unknown, name) && d.skip(3)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}
