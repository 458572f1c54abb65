package console

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// keepAlive is how often an idle event stream gets a comment, so proxies
// and browsers keep it open.
const keepAlive = 15 * time.Second

// hub fans follow-ups out to the pages listening on EventsPath.
type hub struct {
	mu     sync.Mutex
	subs   map[chan []byte]struct{}
	closed bool
	done   chan struct{}
}

func newHub() *hub { return &hub{subs: map[chan []byte]struct{}{}, done: make(chan struct{})} }

// subscribe returns a channel of events, or nil once the hub is closed.
func (h *hub) subscribe() chan []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	ch := make(chan []byte, 32)
	h.subs[ch] = struct{}{}
	return ch
}

func (h *hub) unsubscribe(ch chan []byte) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

// publish sends data to every subscriber that has room and returns how
// many got it; a page that lags loses events rather than stalling the bot.
func (h *hub) publish(data []byte) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for ch := range h.subs {
		select {
		case ch <- data:
			n++
		default:
		}
	}
	return n
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// stream serves EventsPath: one "followup" event per payload received,
// until the page goes away or the console is closed.
func (c *Console) stream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	ch := c.events.subscribe()
	if ch == nil {
		http.Error(w, "the console is closing", http.StatusServiceUnavailable)
		return
	}
	defer c.events.unsubscribe(ch)
	// A stream outlives any write timeout the server has.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n: connected\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case data := <-ch:
			fmt.Fprintf(w, "event: followup\ndata: %s\n\n", data)
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case <-r.Context().Done():
			return
		case <-c.events.done:
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
