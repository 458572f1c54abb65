package card_test

import (
	"errors"
	"fmt"

	"github.com/atc0005/go-teams-notify/v2/adaptivecard"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
)

func ExampleAdaptive() {
	r, err := card.Adaptive(
		card.Heading("Deploy finished"),
		card.Text("All services are up."),
		card.Facts(
			card.Fact{Name: "Environment", Value: "production"},
			card.Fact{Name: "Version", Value: "v1.8.2"},
		),
		card.Code("go", `log.Println("ready")`),
	).Link("Dashboard", "https://example.com/dash").Reply()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("summary:", r.Summary)
	fmt.Println(card.Render(r))
	// Output:
	// summary: Deploy finished
	// [Adaptive Card]
	// Deploy finished
	// ===============
	// All services are up.
	// Environment: production
	// Version:     v1.8.2
	// ```Go
	// log.Println("ready")
	// ```
	// → Dashboard <https://example.com/dash>
}

func ExampleTable() {
	r, err := card.Adaptive(card.Table(
		[]string{"Service", "Status"},
		[]string{"api", "up"},
		[]string{"web", "degraded"},
	)).Summary("Service status").Reply()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(card.Render(r))
	// Output:
	// [Adaptive Card]
	// Service | Status
	// --------+---------
	// api     | up
	// web     | degraded
}

func ExampleColumns() {
	r, _ := card.Adaptive(card.Columns(
		card.Column(card.Text("CPU").Bold(), card.Text("42%")),
		card.Column(card.Text("Memory").Bold(), card.Text("3.1 GB")),
	)).Summary("Usage").Reply()
	fmt.Println(card.Render(r))
	// Output:
	// [Adaptive Card]
	// CPU | Memory
	// 42% | 3.1 GB
}

func ExampleAdaptiveCard_Mention() {
	ada := bot.Account{ID: "29:1a2b", Name: "Ada Lovelace"}
	r, err := card.Adaptive(card.Text("Approved by " + bot.At(ada).Text)).Mention(ada).Reply()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(card.Render(r))
	// Output:
	// [Adaptive Card]
	// Approved by @Ada Lovelace
}

func ExampleFromLibrary() {
	lc := adaptivecard.NewCard()
	lc.Body = []adaptivecard.Element{adaptivecard.NewTextBlock("from go-teams-notify", true)}
	lc.Actions = []adaptivecard.Action{{Type: adaptivecard.TypeActionSubmit, Title: "Send"}}
	_, err := card.FromLibrary(lc).Reply()
	fmt.Println(errors.Is(err, card.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// card: adaptive card: actions[0]: Action.Submit sends data back to a bot, and an outgoing webhook has no bot to receive it: use an open-URL action: invalid card
}

func ExampleHero() {
	r, err := card.Hero("Release 2.0").
		Subtitle("Shipped today").
		Text("Faster builds, fewer bugs.").
		Image("https://example.com/rocket.png", "A rocket").
		Link("Release notes", "https://example.com/notes").
		Reply()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(card.Render(r))
	// Output:
	// [Hero card]
	// Release 2.0
	// ===========
	// Shipped today
	// Faster builds, fewer bugs.
	// [image: A rocket] <https://example.com/rocket.png>
	// → Release notes <https://example.com/notes>
}

func ExampleHeroCard_Button() {
	_, err := card.Hero("Approve?").
		Button(card.CardAction{Type: "imBack", Title: "Yes", Value: "yes"}).
		Reply()
	fmt.Println(err)
	// Output:
	// card: hero card: button 1: imBack sends data back to a bot, and an outgoing webhook has no bot to receive it: use an open-URL action: invalid card
}

func ExampleThumbnail() {
	r, _ := card.Thumbnail("Ada Lovelace").
		Subtitle("On call this week").
		Image("https://example.com/ada.png", "Ada").
		Link("Page her", "https://example.com/page/ada").
		Reply()
	fmt.Println(card.Render(r))
	// Output:
	// [Thumbnail card]
	// Ada Lovelace
	// ============
	// On call this week
	// [image: Ada] <https://example.com/ada.png>
	// → Page her <https://example.com/page/ada>
}

func ExampleList() {
	r, _ := card.List("Recent builds").
		Item(card.ListItem{Title: "#42 passed", Subtitle: "2 min ago", URL: "https://ci.example.com/42"}).
		Item(card.ListItem{Title: "#41 failed", URL: "https://ci.example.com/41"}).
		Reply()
	fmt.Println(card.Render(r))
	// Output:
	// [List card]
	// Recent builds
	// =============
	// • #42 passed — 2 min ago <https://ci.example.com/42>
	// • #41 failed <https://ci.example.com/41>
}

func ExampleConnector() {
	r, err := card.Connector("Nightly backup").
		Color("2EB886").
		Section(card.Section("").
			Activity("backup-db", "03:00 UTC", "").
			Facts(card.Fact{Name: "Duration", Value: "12 min"}, card.Fact{Name: "Size", Value: "4.2 GB"})).
		Link("Logs", "https://example.com/logs").
		Reply()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("summary:", r.Summary)
	fmt.Println(card.Render(r))
	// Output:
	// summary: Nightly backup
	// [Connector card]
	// Nightly backup
	// ==============
	//
	// backup-db 03:00 UTC
	// Duration: 12 min
	// Size:     4.2 GB
	// → Logs <https://example.com/logs>
}

func ExampleReply() {
	r, err := card.Reply("Two builds finished:",
		card.Hero("Build #42").Text("passed"),
		card.Hero("Build #43").Text("failed"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(r.Attachments), "cards;", "fallback:", r.Summary)
	// Output:
	// 2 cards; fallback: Build #42 · Build #43
}

func ExampleRender() {
	r := bot.Escapef("%s: deploy of %s is **done**, see [the log](https://example.com/log)",
		bot.Account{ID: "29:1", Name: "Ada"}, "<main>")
	fmt.Println(card.Render(r))
	// Output:
	// @Ada: deploy of <main> is **done**, see the log <https://example.com/log>
}
