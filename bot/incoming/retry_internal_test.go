package incoming

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRetryAfterCapped(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"nonsense", 0},
		{"-3", 0},
		{"2", 2 * time.Second},
		{"60", MaxRetryAfter},
		{"999999999", MaxRetryAfter},
		{"99999999999999999999999", 0}, // unreadable: not a number Go can hold
		{time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat), MaxRetryAfter},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.header); got != tt.want {
			t.Errorf("retryAfter(%q) = %v; want %v", tt.header, got, tt.want)
		}
	}
}

// A webhook answering "Retry-After: 999999999" pauses the URL's later
// posts for MaxRetryAfter at most, not for the life of the process.
func TestHugeRetryAfterPausesAMinuteAtMost(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "999999999")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer ts.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	s, err := New(ts.URL+"/hook", Config{Client: &http.Client{Transport: tr}, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_ = s.Send(ctx, Message{Text: "x"})
	s.limiter.mu.Lock()
	until := s.limiter.until
	s.limiter.mu.Unlock()
	if d := time.Until(until); d > MaxRetryAfter || d <= 0 {
		t.Errorf("posts paused for %v; want (0, %v]", d, MaxRetryAfter)
	}
}
