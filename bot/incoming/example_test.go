package incoming_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

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
