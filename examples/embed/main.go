// Embed shows an existing Echo service that mounts an outhook bot beside its
// own routes, under a group, in one call.
//
//	OUTHOOK_SECRET=<token> go run ./examples/embed
//
// The service answers GET /api/status itself; Teams posts to
// POST /teams/webhook.
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/plugins"
	_ "github.com/outhook/outhook/plugins/standard"
	"github.com/outhook/outhook/router"
)

// newApp is the service: its own routes plus the bot.
func newApp(secret string) (*echo.Echo, error) {
	e := echo.New()
	e.GET("/api/status", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "fine"})
	})

	r := router.New()
	if err := plugins.Install(r); err != nil {
		return nil, err
	}
	b, err := bot.New(bot.Config{Secrets: []string{secret}, Handler: r})
	if err != nil {
		return nil, err
	}
	b.Mount(e.Group("/teams"), "/webhook")
	return e, nil
}

func main() {
	e, err := newApp(os.Getenv("OUTHOOK_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(e.Start("127.0.0.1:8080"))
}
