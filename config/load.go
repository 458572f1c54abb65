package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// File is a configuration file that parsed: its name, the configuration it
// holds, and the syntax tree that locates a setting's line for errors.
type File struct {
	// Name is the file's name, as given to Load or Parse.
	Name string
	// Config is what the file holds.
	Config Config

	tree *ast.File
}

// Problem is one thing wrong with a configuration file, located where the
// YAML library can tell.
type Problem struct {
	// File is the file's name.
	File string
	// Line and Column locate the problem, from 1; 0 when unknown.
	Line, Column int
	// Path is the setting at fault, in YAML path syntax such as
	// "$.webhooks[1].path"; "" when unknown.
	Path string
	// Message explains the problem. It never holds a secret.
	Message string
}

// String formats p as "file:line:col: message (path)", the way compilers
// do, so editors can jump to it.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	if p.Path != "" && p.Path != "$" {
		fmt.Fprintf(&b, " (at %s)", strings.TrimPrefix(p.Path, "$."))
	}
	return b.String()
}

// Errors is every problem found in a file. It is the error Load, Parse and
// Validate return.
type Errors []Problem

// Error lists the problems, one per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads and parses the file at path. Errors are Errors, or a wrapped
// os error when the file cannot be read.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	return Parse(path, data)
}

// Parse parses data, the contents of the file called name. Unknown keys,
// duplicate keys, wrong types and bad durations are errors. It does not
// check the values: call Validate for that.
func Parse(name string, data []byte) (_ *File, err error) {
	f := &File{Name: name}
	defer func() {
		// go-yaml v1.19.2 panics on some malformed input (found by
		// FuzzParse: a tag such as "!0" where a list is expected). A
		// configuration file must get an answer, not a crash.
		if p := recover(); p != nil {
			err = Errors{{File: name, Message: "the file could not be read as this configuration: check the YAML around tags (!…) and lists"}}
		}
	}()
	tree, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, Errors{f.fromYAML(err)}
	}
	f.tree = tree
	if errs := f.unknownKeys(); len(errs) > 0 {
		return nil, errs
	}
	if err := yaml.UnmarshalWithOptions(data, &f.Config, yaml.DisallowUnknownField()); err != nil {
		return nil, Errors{f.fromYAML(err)}
	}
	return f, nil
}

// fromYAML turns a go-yaml error into a Problem. It uses the error's
// message and position only: the library's formatted error quotes the
// source around the error, which could hold a secret someone pasted.
func (f *File) fromYAML(err error) Problem {
	p := Problem{File: f.Name, Message: err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		p.Message = ye.GetMessage()
		var te *yaml.TypeError
		if errors.As(err, &te) {
			p.Message = fmt.Sprintf("wrong type: %s where %s is expected", te.SrcType, te.DstType)
		}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
		}
	}
	if p.Line == 0 && strings.HasPrefix(p.Message, "time: ") {
		// A bad duration comes from time.ParseDuration, without a
		// position: find the value it quotes in the tree.
		if v, ok := lastQuoted(p.Message); ok {
			p.Message = fmt.Sprintf("%q is not a duration: write a number and a unit, such as 500ms, 4s or 2m", v)
			p.Line, p.Column = f.find(v)
		}
	}
	p.Message = firstLine(p.Message)
	return p
}

// lastQuoted returns the last Go-quoted string in s.
func lastQuoted(s string) (string, bool) {
	end := strings.LastIndexByte(s, '"')
	if end <= 0 {
		return "", false
	}
	start := strings.LastIndexByte(s[:end], '"')
	if start < 0 {
		return "", false
	}
	v, err := strconv.Unquote(s[start : end+1])
	return v, err == nil
}

// find returns the position of the first scalar whose value is v.
func (f *File) find(v string) (line, col int) {
	if f.tree == nil {
		return 0, 0
	}
	for _, doc := range f.tree.Docs {
		ast.Walk(visitor(func(n ast.Node) bool {
			if line > 0 {
				return false
			}
			if s, ok := n.(ast.ScalarNode); ok && fmt.Sprint(s.GetValue()) == v {
				if tk := n.GetToken(); tk != nil && tk.Position != nil {
					line, col = tk.Position.Line, tk.Position.Column
				}
			}
			return true
		}), doc)
	}
	return line, col
}

type visitor func(ast.Node) bool

func (v visitor) Visit(n ast.Node) ast.Visitor {
	if v(n) {
		return v
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// problem returns a Problem about the setting at path, located at the
// setting's value, or at the nearest enclosing setting that is in the file.
func (f *File) problem(path, format string, args ...any) Problem {
	p := Problem{File: f.Name, Path: path, Message: fmt.Sprintf(format, args...)}
	p.Line, p.Column = f.locate(path)
	return p
}

// locate finds the line and column of the setting at path, trying shorter
// paths when the setting is absent.
func (f *File) locate(path string) (int, int) {
	if f.tree == nil {
		return 0, 0
	}
	for path != "" && path != "$" {
		if yp, err := yaml.PathString(path); err == nil {
			if n, err := yp.FilterFile(f.tree); err == nil && n != nil {
				n = firstKey(n)
				if tk := n.GetToken(); tk != nil && tk.Position != nil {
					return tk.Position.Line, tk.Position.Column
				}
			}
		}
		path = parent(path)
	}
	return 0, 0
}

// firstKey returns the first key of a mapping, whose position is where a
// reader looks for the mapping, or n itself.
func firstKey(n ast.Node) ast.Node {
	switch m := n.(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 {
			return m.Values[0].Key
		}
	case *ast.MappingValueNode:
		return m.Key
	}
	return n
}

// parent returns the path one level up: "$.a.b" → "$.a", "$.a[2]" → "$.a".
func parent(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i > 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i > 0 {
		return path[:i]
	}
	return ""
}
