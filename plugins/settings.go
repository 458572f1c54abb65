package plugins

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Configure decodes settings, as a configuration file holds them (plain
// maps, lists, strings, numbers and booleans from YAML, TOML or JSON), into
// p, which must be a pointer to a struct whose fields carry json tags:
//
//	type Plugin struct {
//		Endpoints []Endpoint    `json:"endpoints"`
//		Timeout   time.Duration `json:"timeout"`
//	}
//
// Names match exactly; a setting the struct does not declare is an error
// (most likely a typo), and so is a value of the wrong type. A
// time.Duration is written as Go writes it: "2s", "1m30s". Errors name the
// setting, such as `endpoints[1].url`. Empty settings leave p alone.
func Configure(p any, settings map[string]any) error {
	if len(settings) == 0 {
		return nil
	}
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct || !hasExported(v.Elem().Type()) {
		return fmt.Errorf("takes no settings, but has %s", keyList(settings))
	}
	data, err := json.Marshal(settings, json.Deterministic(true))
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	err = json.Unmarshal(data, p,
		json.RejectUnknownMembers(true),
		json.WithUnmarshalers(json.UnmarshalFromFunc(unmarshalDuration)))
	if err != nil {
		return settingError(err)
	}
	return nil
}

// unmarshalDuration reads a time.Duration from "1m30s".
func unmarshalDuration(dec *jsontext.Decoder, d *time.Duration) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	if v.Kind() != '"' {
		return errors.New(`a duration is written with its unit, such as "2s" or "1m30s"`)
	}
	s, err := strconv.Unquote(string(v))
	if err != nil {
		return err
	}
	td, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf(`%q is not a duration: write it with its unit, such as "2s" or "1m30s"`, s)
	}
	*d = td
	return nil
}

// settingError turns a decoding error into one that names the setting.
func settingError(err error) error {
	var se *json.SemanticError
	if !errors.As(err, &se) {
		return fmt.Errorf("settings: %w", err)
	}
	at := pointerPath(string(se.JSONPointer))
	switch {
	case errors.Is(se.Err, json.ErrUnknownName):
		return fmt.Errorf("unknown setting %q", at)
	case se.Err != nil && se.GoType != nil && (se.GoType == reflect.TypeFor[time.Duration]()):
		return fmt.Errorf("setting %q: %v", at, se.Err)
	}
	want := "a value of another kind"
	if se.GoType != nil {
		want = kindName(se.GoType)
	}
	got := ""
	if se.JSONKind != 0 {
		got = " (got " + jsonKindName(se.JSONKind) + ")"
	}
	if se.Err != nil && !strings.Contains(se.Err.Error(), "cannot unmarshal") {
		return fmt.Errorf("setting %q: want %s%s: %v", at, want, got, se.Err)
	}
	return fmt.Errorf("setting %q: want %s%s", at, want, got)
}

// pointerPath turns "/endpoints/1/url" into "endpoints[1].url".
func pointerPath(p string) string {
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func kindName(t reflect.Type) string {
	if t == reflect.TypeFor[time.Duration]() {
		return "a duration"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a map of settings"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return "a value of another kind"
}

func jsonKindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "text"
	case '0':
		return "a number"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "nothing"
	case '[':
		return "a list"
	case '{':
		return "a map"
	}
	return "something else"
}

func hasExported(t reflect.Type) bool {
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

func keyList(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, strconv.Quote(k))
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
