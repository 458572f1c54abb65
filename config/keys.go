package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/outhook/outhook/internal/suggest"

	"github.com/goccy/go-yaml/ast"
)

// unknownKeys walks the parsed file against the Config type and returns a
// located problem for every key that the type does not have, each with
// the nearest known key at that place when one is close: a typo is found
// in one run, all of them, never a wider setting.
func (f *File) unknownKeys() Errors {
	var errs Errors
	for _, doc := range f.tree.Docs {
		f.walkKeys(doc.Body, reflect.TypeOf(Config{}), &errs)
	}
	return errs
}

// walkKeys checks the keys of node against type t.
func (f *File) walkKeys(node ast.Node, t reflect.Type, errs *Errors) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n := node.(type) {
	case *ast.AnchorNode:
		f.walkKeys(n.Value, t, errs)
	case *ast.TagNode:
		f.walkKeys(n.Value, t, errs)
	case *ast.SequenceNode:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for _, v := range n.Values {
				f.walkKeys(v, t.Elem(), errs)
			}
		}
	case *ast.MappingNode:
		if t.Kind() != reflect.Struct {
			return // maps (plugin settings) are checked by their owners
		}
		fields := yamlFields(t)
		for _, mv := range n.Values {
			key := mv.Key.GetToken()
			if key == nil || key.Value == "<<" { // a YAML merge key: its map is checked where it is defined
				continue
			}
			ft, ok := fields[key.Value]
			if !ok {
				p := Problem{File: f.Name, Message: fmt.Sprintf("unknown setting %q", key.Value)}
				if near := nearest(key.Value, fields); near != "" {
					p.Message += fmt.Sprintf(": did you mean %q?", near)
				}
				if key.Position != nil {
					p.Line, p.Column = key.Position.Line, key.Position.Column
				}
				*errs = append(*errs, p)
				continue
			}
			f.walkKeys(mv.Value, ft, errs)
		}
	}
}

// yamlFields returns t's YAML keys and their types, inline structs
// flattened.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(sf.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		out[name] = sf.Type
	}
	return out
}

// nearest returns the known key closest to key when it is a likely typo,
// or "".
func nearest(key string, known map[string]reflect.Type) string {
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names) // ties go the same way every run
	if s := suggest.Words(key, names); len(s) > 0 {
		return s[0]
	}
	return ""
}
