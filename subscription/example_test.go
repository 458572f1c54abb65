package subscription_test

import (
	"fmt"
	"time"

	"github.com/outhook/outhook/subscription"
)

func ExampleSchedule_Next() {
	s := subscription.Schedule{At: "07:00", On: "weekdays", TZ: "Europe/Berlin"}
	friday := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	next, _ := s.Next(friday)
	fmt.Println(s)
	fmt.Println(next.Format(time.RFC1123))
	// Output:
	// weekdays at 07:00 (Europe/Berlin)
	// Mon, 30 Nov 2026 07:00:00 CET
}
