package bot_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

func ExampleNew() {
	token := bot.NewToken() // in production: the token Teams showed, from OUTHOOK_SECRET
	b, err := bot.New(bot.Config{
		Secrets: []string{token},
		Handler: bot.HandlerFunc(func(c *bot.Context) error {
			return c.Textf("Hello, %s!", c.Activity.From.Name)
		}),
	})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	b.Mount(e, "/webhook")

	srv := httptest.NewServer(e)
	defer srv.Close()
	reply, err := bottest.Post(srv.Client(), srv.URL+"/webhook", token, bottest.Message{Text: "hi"}.JSON())
	fmt.Println(reply.Text, err)
	// Output: Hello, Ada Lovelace! <nil>
}

func ExampleSign() {
	auth, _ := bot.Sign("YT9tnapmcJ3aRMcfBS8Iz6ya226G1U8aoUwbjuWIsMs=", []byte("hello"))
	fmt.Println(auth)
	// Output: HMAC IwDGeYv/eWO0QZEVehEnd2NrAcYJVFnDg2zKKiHn8ew=
}

func ExampleVerifier_Verify() {
	v, err := bot.NewVerifier("YT9tnapmcJ3aRMcfBS8Iz6ya226G1U8aoUwbjuWIsMs=")
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Verify([]byte("hello"), "HMAC IwDGeYv/eWO0QZEVehEnd2NrAcYJVFnDg2zKKiHn8ew="))
	fmt.Println(v.Verify([]byte("hello!"), "HMAC IwDGeYv/eWO0QZEVehEnd2NrAcYJVFnDg2zKKiHn8ew="))
	// Output:
	// <nil>
	// signature does not match
}

func ExampleError() {
	h := bot.HandlerFunc(func(c *bot.Context) error {
		// The user reads Message; Internal goes to the log only.
		return &bot.Error{Message: "No such environment: qa.", Internal: fmt.Errorf("lookup qa: not found")}
	})
	_ = h
}

func ExampleActivity_Thread() {
	a := bot.Activity{ID: "1764331200456", Conversation: bot.Conversation{
		ID: "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2;messageid=1764330000123",
	}}
	fmt.Println(a.Thread(), a.Channel())
	// Output: 1764330000123 19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2
}
