package status_test

import (
	"fmt"
	"time"

	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/plugins/status"
)

func ExampleCard() {
	r, err := status.Card([]status.Result{
		{Endpoint: status.Endpoint{Name: "web"}, Up: true, Code: 200, Latency: 12 * time.Millisecond},
		{Endpoint: status.Endpoint{Name: "queue"}, Problem: "timed out", Latency: 2 * time.Second},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Summary)
	fmt.Println(card.Render(r))
	// Output:
	// Status: 1 of 2 down
	// [Adaptive Card]
	// 1 of 2 down
	// ===========
	// Endpoint | State   | Code      | Latency
	// ---------+---------+-----------+--------
	// web      | 🟢 up   | 200       | 12 ms
	// queue    | 🔴 down | timed out | 2.00 s
}
