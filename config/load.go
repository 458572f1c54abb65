package config

import (
	"errors"
	"fmt"
	"os"
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
func Parse(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	tree, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, Errors{f.fromYAML(err)}
	}
	f.tree = tree
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
	if p.Line == 0 {
		// Errors without a token (a bad duration, for one) carry the
		// location in their text as "[line:col] message".
		p.Message = firstLine(p.Message)
	}
	return p
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
				if tk := n.GetToken(); tk != nil && tk.Position != nil {
					return tk.Position.Line, tk.Position.Column
				}
			}
		}
		path = parent(path)
	}
	return 0, 0
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
