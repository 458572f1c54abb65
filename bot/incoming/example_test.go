package incoming_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/incoming"
)

func ExampleKindOf() {
	fmt.Println(incoming.KindOf("https://prod-12.westeurope.logic.azure.com:443/workflows/a1/triggers/manual/paths/invoke?sig=x"))
	fmt.Println(incoming.KindOf("https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d"))
	// Output:
	// workflows
	// connector
}

func ExampleRedact() {
	fmt.Println(incoming.Redact("https://prod-12.westeurope.logic.azure.com:443/workflows/a1/triggers/manual/paths/invoke?sig=secret"))
	// Output: https://prod-12.westeurope.logic.azure.com:443/…
}

func ExampleSender_Send() {
	// A local stand-in for a Workflows webhook: it answers 202.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(len(body) > 0, r.Header.Get("Content-Type"))
		w.WriteHeader(http.StatusAccepted)
	}))
	defer ts.Close()

	s, err := incoming.New(ts.URL+"/workflows/x?sig=secret", incoming.Config{Kind: incoming.Workflows})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = s.Send(context.Background(), incoming.Message{Title: "Nightly build", Text: "**passed** in 4m12s"})
	fmt.Println(err)
	// Output:
	// true application/json; charset=utf-8
	// <nil>
}

// A message that mentions someone: on a Workflows URL the mention is real
// (Teams notifies Grace); on a connector URL her name would be in bold.
func ExampleMessage_mentions() {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var posted struct {
			Attachments []struct {
				Content struct {
					Body []struct {
						Text string `json:"text"`
					} `json:"body"`
					MSTeams struct {
						Entities []bot.Entity `json:"entities"`
					} `json:"msteams"`
				} `json:"content"`
			} `json:"attachments"`
		}
		json.NewDecoder(r.Body).Decode(&posted)
		card := posted.Attachments[0].Content
		fmt.Println(card.Body[0].Text)
		for _, e := range card.MSTeams.Entities {
			fmt.Println(e.Text, e.Mentioned.ID, e.Mentioned.Name)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer ts.Close()

	s, err := incoming.New(ts.URL+"/workflows/x?sig=secret", incoming.Config{Kind: incoming.Workflows})
	if err != nil {
		fmt.Println(err)
		return
	}
	grace := bot.Account{ID: "29:1grace", Name: "Grace Hopper"}
	r := bot.Text("Nightly build **failed**, over to").Mention(grace)
	err = s.Send(context.Background(), incoming.Message{Text: r.Text, Entities: r.Entities})
	fmt.Println(err)
	// Output:
	// Nightly build **failed**, over to <at>Grace Hopper</at>
	// <at>Grace Hopper</at> 29:1grace Grace Hopper
	// <nil>
}
