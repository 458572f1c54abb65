package router

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// kind is how a parameter's text becomes a value.
type kind int

const (
	kString kind = iota
	kInt
	kUint
	kFloat
	kBool
	kDuration
	kPerson
	kText // encoding.TextUnmarshaler
)

var (
	durationType  = reflect.TypeFor[time.Duration]()
	personType    = reflect.TypeFor[Person]()
	unmarshalType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// Param describes one argument or flag of a command, for help and usage
// lines. It is built from the tags of the command's Args struct.
type Param struct {
	// Name is the argument's name ("env") or the flag's long name
	// ("reason", used as --reason).
	Name string
	// Positional is true for arguments, false for flags.
	Positional bool
	// Short is the flag's one-letter name (-r), or 0.
	Short rune
	// Help is the description from the help tag.
	Help string
	// Type names the kind of value for people: "text", "number",
	// "duration", "yes/no", "person"; lists say "list of …".
	Type string
	// Placeholder stands for the value in usage lines, such as "TEXT".
	Placeholder string
	// Default is the value used when none is given, as written in the tag.
	Default string
	// Enum lists the allowed values, if restricted.
	Enum []string
	// Required is true when the command cannot run without it.
	Required bool
	// List is true when the parameter takes several values.
	List bool
	// Bool is true for a flag that takes no value (--force, --no-force).
	Bool bool
	// Hidden parameters work but are not shown by help.
	Hidden bool
	// Min and Max bound a number or duration, as written in the min and
	// max tags ("" for no bound): a value outside is a usage error that
	// says the range, and help shows it.
	Min, Max string
	// Secret values, such as confirmation codes or tokens, are never
	// logged or quoted back: Resolution.Redacted shows them as Redacted.
	// Set with the secret:"" tag.
	Secret bool

	kind     kind
	index    []int
	typ      reflect.Type // the field type, or the element type of a list
	sep      string
	def      reflect.Value // parsed default, or invalid
	enumKeys []string      // Enum in lower case
	lo, hi   *float64      // Min and Max parsed (durations in nanoseconds)
}

// schema is the parsed form of a command's Args struct.
type schema struct {
	typ     reflect.Type
	params  []*Param // positionals first, then flags, in field order
	args    []*Param
	flags   []*Param
	byLong  map[string]*Param
	byShort map[rune]*Param
}

// newSchema reads the tags of the struct type of proto.
func newSchema(proto any) (*schema, error) {
	t := reflect.TypeOf(proto)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("Args must be a struct or a pointer to one, not %s", t)
	}
	s := &schema{typ: t, byLong: map[string]*Param{}, byShort: map[rune]*Param{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("kong") == "-" {
			continue
		}
		p, err := newParam(f)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		if p.Positional {
			if n := len(s.args); n > 0 && s.args[n-1].List {
				return nil, fmt.Errorf("field %s: no argument may follow the list argument %s", f.Name, s.args[n-1].Name)
			}
			if n := len(s.args); n > 0 && !s.args[n-1].Required && p.Required {
				return nil, fmt.Errorf("field %s: required argument %s follows an optional one", f.Name, p.Name)
			}
			s.args = append(s.args, p)
			continue
		}
		key := lower(p.Name)
		if _, dup := s.byLong[key]; dup || key == "help" {
			return nil, fmt.Errorf("field %s: flag --%s defined twice", f.Name, p.Name)
		}
		s.byLong[key] = p
		if p.Short != 0 {
			if _, dup := s.byShort[p.Short]; dup {
				return nil, fmt.Errorf("field %s: flag -%c defined twice", f.Name, p.Short)
			}
			s.byShort[p.Short] = p
		}
		s.flags = append(s.flags, p)
	}
	s.params = append(append(s.params, s.args...), s.flags...)
	return s, nil
}

func newParam(f reflect.StructField) (*Param, error) {
	tag := f.Tag
	_, positional := tag.Lookup("arg")
	p := &Param{
		Name:        tag.Get("name"),
		Positional:  positional,
		Help:        tag.Get("help"),
		Default:     tag.Get("default"),
		Placeholder: tag.Get("placeholder"),
		index:       f.Index,
		typ:         f.Type,
		sep:         ",",
	}
	if p.Name == "" {
		p.Name = kebab(f.Name)
	}
	if short := tag.Get("short"); short != "" {
		r, n := utf8.DecodeRuneInString(short)
		if n != len(short) || positional || !unicode.IsLetter(r) {
			return nil, fmt.Errorf("short:%q must be one letter, on a flag", short)
		}
		p.Short = r
	}
	if sep, ok := tag.Lookup("sep"); ok {
		p.sep = sep
		if sep == "none" {
			p.sep = ""
		}
	}
	_, p.Hidden = tag.Lookup("hidden")
	_, p.Secret = tag.Lookup("secret")
	_, required := tag.Lookup("required")
	_, optional := tag.Lookup("optional")
	p.Required = required || positional && !optional && p.Default == ""

	t := f.Type
	if t.Kind() == reflect.Slice && t != reflect.TypeFor[[]byte]() && !reflect.PointerTo(t).Implements(unmarshalType) {
		p.List, t = true, t.Elem()
		p.typ = t
	}
	switch {
	case t == personType:
		p.kind, p.Type = kPerson, "person"
	case t == durationType:
		p.kind, p.Type = kDuration, "duration"
	case reflect.PointerTo(t).Implements(unmarshalType):
		p.kind, p.Type = kText, "text"
	case t.Kind() == reflect.String:
		p.kind, p.Type = kString, "text"
	case t.Kind() == reflect.Bool:
		p.kind, p.Type = kBool, "yes/no"
		p.Bool = !positional && !p.List
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		p.kind, p.Type = kInt, "number"
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64:
		p.kind, p.Type = kUint, "number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		p.kind, p.Type = kFloat, "number"
	default:
		return nil, fmt.Errorf("unsupported type %s", f.Type)
	}
	if enum := tag.Get("enum"); enum != "" {
		if p.kind != kString {
			return nil, errors.New("enum needs a string field")
		}
		for _, e := range strings.Split(enum, ",") {
			e = strings.TrimSpace(e)
			p.Enum = append(p.Enum, e)
			p.enumKeys = append(p.enumKeys, strings.ToLower(e))
		}
		p.Type = "one of " + strings.Join(p.Enum, ", ")
	}
	if err := p.bounds(tag.Get("min"), tag.Get("max")); err != nil {
		return nil, err
	}
	if p.Placeholder == "" {
		p.Placeholder = placeholder(p)
	}
	if p.List {
		p.Type = "list of " + p.Type
	}
	if p.Default != "" {
		v := reflect.New(f.Type).Elem()
		for _, s := range p.split(p.Default) {
			if err := p.set(v, s, -1, nil); err != nil {
				return nil, fmt.Errorf("default %q: %w", p.Default, err)
			}
		}
		p.def = v
	}
	return p, nil
}

// bounds reads the min and max tags of a number or duration.
func (p *Param) bounds(lo, hi string) error {
	if lo == "" && hi == "" {
		return nil
	}
	if p.kind != kInt && p.kind != kUint && p.kind != kFloat && p.kind != kDuration {
		return errors.New("min and max need a number or duration field")
	}
	read := func(tag, s string) (*float64, error) {
		if s == "" {
			return nil, nil
		}
		if p.kind == kDuration {
			d, err := time.ParseDuration(s)
			if err != nil {
				return nil, fmt.Errorf("%s %q is not a duration", tag, s)
			}
			f := float64(d)
			return &f, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s %q is not a number", tag, s)
		}
		return &f, nil
	}
	var err error
	if p.lo, err = read("min", lo); err != nil {
		return err
	}
	if p.hi, err = read("max", hi); err != nil {
		return err
	}
	if p.lo != nil && p.hi != nil && *p.lo > *p.hi {
		return fmt.Errorf("min %s is over max %s", lo, hi)
	}
	p.Min, p.Max = lo, hi
	p.Type += " " + p.rangeText()
	return nil
}

// rangeText says the bounds for people: "from 1 to 20", "at least 1".
func (p *Param) rangeText() string {
	switch {
	case p.Min != "" && p.Max != "":
		return "from " + p.Min + " to " + p.Max
	case p.Min != "":
		return "at least " + p.Min
	}
	return "at most " + p.Max
}

// checkRange reports a value of elem outside the bounds.
func (p *Param) checkRange(elem reflect.Value, s string) error {
	if p.lo == nil && p.hi == nil {
		return nil
	}
	var v float64
	switch p.kind {
	case kInt, kDuration:
		v = float64(elem.Int())
	case kUint:
		v = float64(elem.Uint())
	case kFloat:
		v = elem.Float()
	}
	if p.lo != nil && v < *p.lo || p.hi != nil && v > *p.hi {
		return fmt.Errorf("%s must be %s, not %s", p.label(), p.rangeText(), code(s))
	}
	return nil
}

func placeholder(p *Param) string {
	switch {
	case p.Enum != nil:
		return strings.Join(p.Enum, "|")
	case p.kind == kPerson:
		return "@PERSON"
	case p.kind == kInt || p.kind == kUint || p.kind == kFloat:
		return "N"
	case p.kind == kDuration:
		return "DURATION"
	case p.kind == kBool:
		return "yes|no"
	}
	return "TEXT"
}

// kebab turns a Go field name into a flag name: DryRun → dry-run,
// URLPath → url-path.
func kebab(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 &&
			(unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// label names p in messages: <env> or --reason.
func (p *Param) label() string {
	if p.Positional {
		return code("<" + p.Name + ">")
	}
	return code("--" + p.Name)
}

// split splits a flag value into list items.
func (p *Param) split(s string) []string {
	if !p.List || p.sep == "" {
		return []string{s}
	}
	return strings.Split(s, p.sep)
}

// set parses s (or the mention with index m, if m >= 0) into f, the
// field of p, appending for lists.
func (p *Param) set(f reflect.Value, s string, m int, in *Input) error {
	var elem reflect.Value
	if p.List {
		elem = reflect.New(p.typ).Elem()
	} else {
		elem = f
	}
	if p.kind == kPerson {
		if m < 0 || in == nil {
			return fmt.Errorf("%s must be a mention: @mention the person instead of typing %s", p.label(), code(s))
		}
		elem.Set(reflect.ValueOf(in.Mentions[m]))
	} else if err := p.parse(elem, s); err != nil {
		return err
	}
	if p.List {
		f.Set(reflect.Append(f, elem))
	}
	return nil
}

// parse converts text into elem according to p's kind.
func (p *Param) parse(elem reflect.Value, s string) error {
	switch p.kind {
	case kString:
		if p.Enum != nil {
			k := strings.ToLower(s)
			for i, e := range p.enumKeys {
				if e == k {
					elem.SetString(p.Enum[i])
					return nil
				}
			}
			msg := fmt.Sprintf("%s must be one of %s, not %s", p.label(), strings.Join(p.Enum, ", "), code(s))
			if sug := suggest(s, p.Enum); len(sug) > 0 {
				msg += fmt.Sprintf("; did you mean %s?", code(sug[0]))
			}
			return errors.New(msg)
		}
		elem.SetString(s)
	case kInt:
		n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, elem.Type().Bits())
		if err != nil {
			return fmt.Errorf("%s must be a whole number, not %s", p.label(), code(s))
		}
		elem.SetInt(n)
		return p.checkRange(elem, s)
	case kUint:
		n, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 0, elem.Type().Bits())
		if err != nil {
			return fmt.Errorf("%s must be a whole number, 0 or more, not %s", p.label(), code(s))
		}
		elem.SetUint(n)
		return p.checkRange(elem, s)
	case kFloat:
		n, err := strconv.ParseFloat(s, elem.Type().Bits())
		if err != nil {
			return fmt.Errorf("%s must be a number, not %s", p.label(), code(s))
		}
		elem.SetFloat(n)
		return p.checkRange(elem, s)
	case kBool:
		b, ok := parseBool(s)
		if !ok {
			return fmt.Errorf("%s must be yes or no, not %s", p.label(), code(s))
		}
		elem.SetBool(b)
	case kDuration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%s must be a duration such as 90s, 5m or 1h30m, not %s", p.label(), code(s))
		}
		elem.SetInt(int64(d))
		return p.checkRange(elem, s)
	case kText:
		u := elem.Addr().Interface().(encoding.TextUnmarshaler)
		if err := u.UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("%s: %s: %w", p.label(), code(s), err)
		}
	}
	return nil
}

func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "1", "t", "true", "y", "yes", "on":
		return true, true
	case "0", "f", "false", "n", "no", "off":
		return false, true
	}
	return false, false
}

// parseState is one parse of words into a new value of s.typ.
type parseState struct {
	s     *schema
	v     reflect.Value
	in    *Input
	words []string
	seen  []bool      // by index into s.params
	res   *Resolution // records the values, when not nil
}

// parse fills a new value of the Args type from words and returns a
// pointer to it. A problem with the words is returned as a plain error
// naming it; the caller adds the usage line.
func (s *schema) parse(words []string, in *Input, res *Resolution) (any, error) {
	ptr := reflect.New(s.typ)
	st := parseState{s: s, v: ptr.Elem(), in: in, words: words, res: res}
	var seenBuf [16]bool
	if len(s.params) <= len(seenBuf) {
		st.seen = seenBuf[:len(s.params)]
	} else {
		st.seen = make([]bool, len(s.params))
	}
	if err := st.run(); err != nil {
		return nil, err
	}
	return ptr.Interface(), nil
}

// flagPrefix returns the flag name in w ("reason=x" for "--reason=x")
// and whether w is a long flag. Phones turn "--" into a dash: a leading
// "—" or "–" counts as "--".
func flagPrefix(w string) (string, bool) {
	for _, p := range [...]string{"--", "—", "–"} {
		if rest, ok := strings.CutPrefix(w, p); ok && rest != "" && rest[0] != '-' {
			return rest, true
		}
	}
	return "", false
}

func (st *parseState) run() error {
	s := st.s
	pos := 0
	flagsDone := false
	for i := 0; i < len(st.words); i++ {
		w := st.words[i]
		if !flagsDone {
			if w == "--" {
				flagsDone = true
				continue
			}
			if name, ok := flagPrefix(w); ok {
				n, err := st.long(name, i)
				if err != nil {
					return err
				}
				i += n
				continue
			}
			if len(w) > 1 && w[0] == '-' && !st.isNumber(w) {
				n, err := st.shorts(w[1:], i)
				if err != nil {
					return err
				}
				i += n
				continue
			}
		}
		if pos >= len(s.args) {
			if len(s.args) == 0 {
				return fmt.Errorf("unexpected argument %s: this command takes no arguments", code(st.text(w)))
			}
			return fmt.Errorf("unexpected argument %s", code(st.text(w)))
		}
		p := s.args[pos]
		if err := st.value(p, w); err != nil {
			return err
		}
		if !p.List {
			pos++
		}
	}
	for j, p := range s.params {
		if st.seen[j] {
			continue
		}
		if p.Required {
			if p.Positional {
				return fmt.Errorf("missing argument %s", p.label())
			}
			return fmt.Errorf("missing flag %s", p.label())
		}
		if p.Bool && !p.def.IsValid() {
			st.record(p, "false", false)
		}
		if p.def.IsValid() {
			for _, item := range p.split(p.Default) {
				st.record(p, item, false)
			}
			f := st.v.FieldByIndex(p.index)
			if p.List {
				f.Set(reflect.AppendSlice(reflect.MakeSlice(p.def.Type(), 0, p.def.Len()), p.def))
			} else {
				f.Set(p.def)
			}
		}
	}
	return nil
}

// isNumber reports whether w is a negative number rather than short flags.
func (st *parseState) isNumber(w string) bool {
	if len(w) < 2 || (w[1] < '0' || w[1] > '9') && w[1] != '.' {
		return false
	}
	_, err := strconv.ParseFloat(w, 64)
	return err == nil
}

// text returns w with mention markers shown as names.
func (st *parseState) text(w string) string {
	if st.in == nil {
		return w
	}
	return st.in.render(w)
}

// mention returns the index of the mention w stands for, or -1.
func (st *parseState) mention(w string) int {
	if st.in == nil {
		return -1
	}
	r, n := utf8.DecodeRuneInString(w)
	if n != len(w) {
		return -1
	}
	if m, ok := st.in.marker(r); ok {
		return m
	}
	return -1
}

// value sets p from word w.
func (st *parseState) value(p *Param, w string) error {
	st.mark(p)
	if p.kind == kPerson {
		st.record(p, st.text(w), true)
		return p.set(st.v.FieldByIndex(p.index), st.text(w), st.mention(w), st.in)
	}
	f := st.v.FieldByIndex(p.index)
	for _, item := range p.split(st.text(w)) {
		st.record(p, item, true)
		if err := p.set(f, item, -1, st.in); err != nil {
			return err
		}
	}
	return nil
}

// record notes that p receives value, given in the message or by default.
func (st *parseState) record(p *Param, value string, given bool) {
	if st.res == nil {
		return
	}
	st.res.add(p, value, given)
}

func (st *parseState) mark(p *Param) {
	for j, q := range st.s.params {
		if q == p {
			st.seen[j] = true
			return
		}
	}
}

// long handles --name, --name=value, --name value and --no-name at word i;
// it returns how many following words it consumed.
func (st *parseState) long(spec string, i int) (int, error) {
	name, val, hasVal := strings.Cut(spec, "=")
	p := st.s.byLong[lower(name)]
	negated := false
	if p == nil {
		if base, ok := strings.CutPrefix(lower(name), "no-"); ok {
			if q := st.s.byLong[base]; q != nil && q.Bool {
				p, negated = q, true
			}
		}
	}
	if p == nil {
		return 0, st.unknownFlag("--" + name)
	}
	if p.Bool {
		if negated {
			if hasVal {
				return 0, fmt.Errorf("flag %s takes no value", code("--no-"+p.Name))
			}
			st.mark(p)
			st.record(p, "false", true)
			st.v.FieldByIndex(p.index).SetBool(false)
			return 0, nil
		}
		if !hasVal {
			val = "true"
		}
		return 0, st.value(p, val)
	}
	if hasVal {
		return 0, st.value(p, val)
	}
	if i+1 >= len(st.words) || st.isFlag(st.words[i+1]) {
		return 0, fmt.Errorf("flag %s needs a value (%s)", p.label(), p.Placeholder)
	}
	return 1, st.value(p, st.words[i+1])
}

// isFlag reports whether w names one of the command's long flags, so
// that "--reason --token x" is a missing value rather than a reason of
// "--token" that leaves x to slide into the arguments.
func (st *parseState) isFlag(w string) bool {
	spec, ok := flagPrefix(w)
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(spec, "=")
	name = lower(name)
	if st.s.byLong[name] != nil || name == "help" {
		return true
	}
	base, ok := strings.CutPrefix(name, "no-")
	return ok && st.s.byLong[base] != nil
}

// shorts handles -f, -fv, -r value, -rvalue and -r=value; cluster is the
// word without its dash.
func (st *parseState) shorts(cluster string, i int) (int, error) {
	for j, r := range cluster {
		p := st.s.byShort[r]
		if p == nil {
			if q := st.s.byShort[unicode.ToLower(r)]; q != nil {
				p = q
			} else {
				return 0, st.unknownFlag("-" + string(r))
			}
		}
		if p.Bool {
			st.mark(p)
			st.record(p, "true", true)
			st.v.FieldByIndex(p.index).SetBool(true)
			continue
		}
		rest := cluster[j+utf8.RuneLen(r):]
		rest = strings.TrimPrefix(rest, "=")
		if rest != "" {
			return 0, st.value(p, rest)
		}
		if i+1 >= len(st.words) || st.isFlag(st.words[i+1]) {
			return 0, fmt.Errorf("flag %s needs a value (%s)", code("-"+string(r)), p.Placeholder)
		}
		return 1, st.value(p, st.words[i+1])
	}
	return 0, nil
}

func (st *parseState) unknownFlag(flag string) error {
	if len(st.s.flags) == 0 {
		return fmt.Errorf("unknown flag %s: this command takes no flags", code(st.text(flag)))
	}
	var names []string
	for _, p := range st.s.flags {
		if !p.Hidden {
			names = append(names, "--"+p.Name)
		}
	}
	msg := fmt.Sprintf("unknown flag %s", code(st.text(flag)))
	if sug := suggest(flag, names); len(sug) > 0 {
		msg += "; did you mean " + code(sug[0]) + "?"
	}
	return errors.New(msg)
}
