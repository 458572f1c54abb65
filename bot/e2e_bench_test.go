//go:build unix

package bot_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
)

// BenchmarkHangingEndToEnd measures the answer time Teams would see when
// n requests arrive at once and every handler hangs, ignoring its context:
// from the client's dial (a new connection per request, as Teams makes)
// to the last byte of the reply, over loopback, with the default 4 s
// budget counted from arrival (Arrivals installed). It reports p50, p99
// and max in milliseconds, the answers over 5 s, and how many
// connections the server closed right after the notice. It needs
// 2n+100 file descriptors and skips otherwise.
//
//	go test -run '^$' -bench HangingEndToEnd -benchtime 1x ./bot
func BenchmarkHangingEndToEnd(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var rl syscall.Rlimit
			if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur < uint64(2*n+100) {
				b.Skipf("ulimit -n is %d; %d needed", rl.Cur, 2*n+100)
			}
			release := make(chan struct{})
			token := bot.NewToken()
			bt, err := bot.New(bot.Config{Secrets: []string{token}, MaxHung: 2 * n, Logger: zerolog.New(io.Discard),
				Handler: bot.HandlerFunc(func(c *bot.Context) error { <-release; return c.Text("late") })})
			if err != nil {
				b.Fatal(err)
			}
			e := echo.New()
			bt.Mount(e, "/webhook")
			ts := httptest.NewUnstartedServer(e)
			new(bot.Arrivals).Install(ts.Config)
			ts.Start()
			defer ts.Close()
			defer close(release)
			body := bottest.Message{Text: "hang"}.JSON()
			var lat []time.Duration
			var closed, failed int
			for i := 0; i < b.N; i++ {
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := make(chan struct{})
				for range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						tr := &http.Transport{DisableKeepAlives: false, MaxIdleConnsPerHost: 1}
						defer tr.CloseIdleConnections()
						req, _ := bottest.NewRequest(ts.URL+"/webhook", token, body)
						<-start
						t0 := time.Now()
						resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Do(req)
						if err == nil {
							_, err = io.ReadAll(resp.Body)
							resp.Body.Close()
						}
						d := time.Since(t0)
						mu.Lock()
						defer mu.Unlock()
						if err != nil || resp.StatusCode != http.StatusOK {
							failed++
							return
						}
						lat = append(lat, d)
						if resp.Close {
							closed++
						}
					}()
				}
				close(start)
				wg.Wait()
			}
			b.StopTimer()
			if len(lat) == 0 {
				b.Fatalf("no answers; %d failed", failed)
			}
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			over := 0
			for _, d := range lat {
				if d > 5*time.Second {
					over++
				}
			}
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
			b.ReportMetric(float64(over), "over-5s")
			b.ReportMetric(float64(failed), "failed")
			b.ReportMetric(float64(closed), "closed")
		})
	}
}
