package bot_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// BenchmarkTimeoutNotice measures how close to the budget the timeout
// notices land when a burst of requests all hang: each iteration posts
// 200 signed requests at once over loopback to handlers that never answer,
// with a 100 ms budget. Latency is taken on the server, from before the
// bot reads a request to after its answer is flushed; p50, p99 and max
// are reported in milliseconds, and over-budget counts the answers that
// landed after it. The "instant" case runs the same burst with handlers
// that answer at once, as the baseline cost of the burst itself.
//
//	go test -run '^$' -bench TimeoutNotice -benchtime 20x ./bot
func BenchmarkTimeoutNotice(b *testing.B) {
	const burst, budget = 200, 100 * time.Millisecond
	for _, tc := range []struct {
		name string
		h    bot.HandlerFunc
	}{
		{"instant", func(c *bot.Context) error { return c.Text("hi") }},
		{"hang", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			release := make(chan struct{})
			h := tc.h
			if h == nil {
				h = func(c *bot.Context) error { <-release; return c.Text("late") }
			}
			token := bot.NewToken()
			bt, err := bot.New(bot.Config{Secrets: []string{token}, Handler: h, Budget: budget, Logger: zerolog.New(io.Discard)})
			if err != nil {
				b.Fatal(err)
			}
			var mu sync.Mutex
			var lat []time.Duration
			e := echo.New()
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(ec echo.Context) error {
					start := time.Now()
					ec.Response().After(func() {
						d := time.Since(start)
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					})
					return next(ec)
				}
			})
			bt.Mount(e, "/webhook")
			ts := httptest.NewServer(e)
			defer ts.Close()
			defer close(release)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: burst}}
			defer client.CloseIdleConnections()
			body := bottest.Message{Text: "hang"}.JSON()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var wg sync.WaitGroup
				for j := 0; j < burst; j++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := bottest.Post(client, ts.URL+"/webhook", token, body); err != nil {
							b.Error(err)
						}
					}()
				}
				wg.Wait()
			}
			b.StopTimer()
			mu.Lock()
			defer mu.Unlock()
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			over := 0
			for _, d := range lat {
				if d > budget {
					over++
				}
			}
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
			b.ReportMetric(float64(over), "over-budget")
		})
	}
}
