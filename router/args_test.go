package router

import (
	"strings"
	"testing"
	"time"
)

func TestArgsRange(t *testing.T) {
	type args struct {
		Count int           `arg:"" optional:"" default:"1" min:"1" max:"20"`
		Ratio float64       `max:"0.5"`
		Size  uint          `min:"2"`
		Wait  time.Duration `min:"1s" max:"1m"`
	}
	s, err := newSchema(args{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		line, err string
	}{
		{"", ""},
		{"20 --ratio 0.5 --size 2 --wait 1m", ""},
		{"0", "`<count>` must be from 1 to 20, not `0`"},
		{"21", "`<count>` must be from 1 to 20, not `21`"},
		{"--ratio 0.6", "`--ratio` must be at most 0.5, not `0.6`"},
		{"--size 1", "`--size` must be at least 2, not `1`"},
		{"--wait 500ms", "`--wait` must be from 1s to 1m, not `500ms`"},
	} {
		_, err := s.parse(strings.Fields(tt.line), nil, nil)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.line, err)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%q: got %v; want %q", tt.line, err, tt.err)
		}
	}
	if got := s.byLong["wait"].Type; got != "duration from 1s to 1m" {
		t.Errorf("help type %q", got)
	}
	for _, bad := range []any{
		struct {
			S string `min:"1"`
		}{},
		struct {
			N int `min:"x"`
		}{},
		struct {
			N int `min:"5" max:"1"`
		}{},
	} {
		if _, err := newSchema(bad); err == nil {
			t.Errorf("%T: no error for bad bounds", bad)
		}
	}
}
