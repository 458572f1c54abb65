package main

import (
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/labstack/echo/v4"

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
	token := bot.NewToken()
	b, err := bot.New(bot.Config{Secrets: []string{token}, Handler: r})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")
	srv := httptest.NewServer(e)
	defer srv.Close()

	tests := []struct{ text, want string }{
		{"roll", `^🎲 [1-6]$`},
		{"ROLL 3", `^🎲 [1-6] [1-6] [1-6]$`},
		{"roll many", `count must be a number`},
		{"help", `roll.*Roll dice`},
	}
	for _, tt := range tests {
		got, err := bottest.Post(srv.Client(), srv.URL+"/webhook", token, bottest.Message{Text: tt.text}.JSON())
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(tt.want).MatchString(got.Text) {
			t.Errorf("%q: got %q; want match %q", tt.text, got.Text, tt.want)
		}
	}
}
