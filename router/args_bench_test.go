package router

import (
	"io"
	"testing"
	"time"

	"github.com/alecthomas/kong"
)

// benchArgs is a typical command's arguments, in tags both parsers read.
type benchArgs struct {
	Service  string        `arg:"" enum:"web,api" help:"Service to deploy."`
	Env      string        `arg:"" optional:"" default:"staging" help:"Environment."`
	Reason   string        `short:"r" required:"" help:"Why."`
	Force    bool          `short:"f" help:"Skip the health check."`
	Timeout  time.Duration `default:"5m" help:"Give up after this long."`
	Replicas int           `default:"1" help:"How many instances."`
	Tags     []string      `help:"Labels."`
}

var benchWords = []string{"web", "prod", "--reason", "fix #4711", "-f", "--timeout=90s", "--tags", "a,b"}

// BenchmarkArgsReflect is the router's own parser: the schema is built once
// per command, each message costs one struct and the field sets.
func BenchmarkArgsReflect(b *testing.B) {
	s, err := newSchema(benchArgs{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v, err := s.parse(benchWords, nil, nil)
		if err != nil || v.(*benchArgs).Timeout != 90*time.Second {
			b.Fatal(err)
		}
	}
}

// BenchmarkArgsKong is kong as a per-message parser: a kong parser writes
// into its grammar, so each message builds a new one, with output captured
// and exit disabled.
func BenchmarkArgsKong(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var a benchArgs
		p, err := kong.New(&a, kong.Name("run"), kong.Exit(func(int) {}), kong.Writers(io.Discard, io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Parse(benchWords); err != nil || a.Timeout != 90*time.Second {
			b.Fatal(err, a)
		}
	}
}

// TestArgsKongAgrees checks that the two parsers compared above read the
// same words the same way, so the comparison is fair.
func TestArgsKongAgrees(t *testing.T) {
	s, err := newSchema(benchArgs{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.parse(benchWords, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var k benchArgs
	p, err := kong.New(&k, kong.Name("run"), kong.Exit(func(int) {}), kong.Writers(io.Discard, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Parse(benchWords); err != nil {
		t.Fatal(err)
	}
	got := *v.(*benchArgs)
	if got.Service != k.Service || got.Env != k.Env || got.Reason != k.Reason || got.Force != k.Force ||
		got.Timeout != k.Timeout || got.Replicas != k.Replicas || len(got.Tags) != len(k.Tags) {
		t.Errorf("got %+v; kong got %+v", got, k)
	}
}
