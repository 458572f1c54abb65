package config

import (
	"fmt"
	"reflect"
	"strings"

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

// nearest returns the known key closest to key when it is a likely typo
// (at most a third of its letters off), or "".
func nearest(key string, known map[string]reflect.Type) string {
	best, bestD := "", len(key)/3+1
	for k := range known {
		if d := distance(strings.ToLower(key), k); d < bestD || d == bestD && best != "" && k < best {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
