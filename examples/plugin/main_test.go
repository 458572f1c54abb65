package main

import (
	"regexp"
	"testing"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func TestRoll(t *testing.T) {
	r := router.New()
	if err := plugins.Install(r, "dice", "help"); err != nil {
		t.Fatal(err)
	}
	s := bottest.NewServer(bot.Config{Handler: r})
	t.Cleanup(s.Close)

	tests := []struct{ text, command, want string }{
		{"roll", "roll", `^🎲 [1-6]$`},
		{"ROLL 3", "roll", `^🎲 [1-6] [1-6] [1-6]$`},
		{"roll 2 --sides 20", "roll", `^🎲 ([1-9]|1[0-9]|20) ([1-9]|1[0-9]|20)$`},
		{"roll 2 -s 4", "roll", `^🎲 [1-4] [1-4]$`},
		{"roll many", "roll", "(?s)`many`.*Usage: `roll"},
		{"roll 0", "roll", "(?s)`<count>` must be from 1 to 20, not `0`.*Usage: `roll"},
		{"roll --sides 1", "roll", "(?s)`--sides` must be from 2 to 100, not `1`.*Usage: `roll"},
		{"roll --sides six", "roll", "(?s)six.*Usage: `roll"},
		{"help roll", "help", `(?s)roll.*--sides.*2 to 100`},
	}
	for _, tt := range tests {
		got, err := s.Say(tt.text)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(tt.want).MatchString(got.String()) || got.Command != tt.command {
			t.Errorf("%q: got %q from %q; want match %q from %q", tt.text, got.String(), got.Command, tt.want, tt.command)
		}
	}

	// help lists roll in its card.
	got, err := s.Say("help")
	if err != nil {
		t.Fatal(err)
	}
	c, err := got.Adaptive()
	if err != nil {
		t.Fatal(err)
	}
	if v := c.Facts()["roll"]; v != "Roll dice" {
		t.Errorf("got roll's line %q; want %q", v, "Roll dice")
	}
}
