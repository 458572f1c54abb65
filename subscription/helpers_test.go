package subscription_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/outhook/outhook/bot/incoming"
	"github.com/outhook/outhook/subscription"
)

// webhook is a fake incoming webhook: it records what is posted to it.
type webhook struct {
	*httptest.Server
	mu    sync.Mutex
	posts []map[string]any
}

func newWebhook(t *testing.T) *webhook {
	t.Helper()
	w := &webhook{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			http.Error(rw, "bad json", http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.posts = append(w.posts, v)
		w.mu.Unlock()
		rw.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(w.Close)
	return w
}

// Posts returns a copy of what was posted, as JSON text.
func (w *webhook) Posts() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, len(w.posts))
	for i, p := range w.posts {
		b, _ := json.Marshal(p)
		out[i] = string(b)
	}
	return out
}

// sender returns an incoming-webhook sender to w, quick to give up.
func (w *webhook) sender(t *testing.T) *incoming.Sender {
	t.Helper()
	s, err := incoming.New(w.URL+"/workflows", incoming.Config{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
		Limits: []incoming.Limit{{Requests: 1000, Per: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// weatherService is a fake forecast service: GET /forecast?city=… answers
// tomorrow's forecast for the city.
func weatherService(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		city := r.URL.Query().Get("city")
		if r.URL.Path != "/forecast" || city == "" {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		json.NewEncoder(rw).Encode(map[string]any{
			"city":     city,
			"units":    r.URL.Query().Get("units"),
			"tomorrow": map[string]any{"sky": "light rain", "max": 14, "min": 6},
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// weatherFeed is the walkthrough's feed, against svc.
func weatherFeed(t *testing.T, svc string) *subscription.HTTPFeed {
	t.Helper()
	tmpl, err := os.ReadFile("testdata/weather-card.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	f, err := subscription.NewHTTPFeed(subscription.HTTPFeedConfig{
		Name:     "weather",
		Summary:  "tomorrow's forecast",
		URL:      svc + "/forecast?city={{.city}}&units={{.units}}",
		Template: string(tmpl),
		Options: []subscription.Option{
			{Name: "city", Required: true, Help: "the city"},
			{Name: "units", Default: "metric", Choices: []string{"metric", "imperial"}},
		},
		Timeout: 2 * time.Second,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
