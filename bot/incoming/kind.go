package incoming

import (
	"net"
	"net/url"
	"strings"
)

// Kind is the kind of incoming webhook a URL belongs to; it decides the
// payload and how success and throttling are reported.
type Kind int

// Kinds of incoming webhook.
const (
	// Workflows is a Power Automate "When a Teams webhook request is
	// received" URL: it takes a message with one Adaptive Card and answers
	// 202 with an empty body.
	Workflows Kind = iota + 1
	// Connector is a legacy Office 365 connector URL: it takes a
	// MessageCard (or the Adaptive Card envelope), answers 200 with body
	// "1", and reports throttling as 200 with "HTTP error 429" in the body.
	Connector
)

// String returns "workflows" or "connector".
func (k Kind) String() string {
	switch k {
	case Workflows:
		return "workflows"
	case Connector:
		return "connector"
	}
	return "unknown"
}

// KindOf tells the kind of an incoming-webhook URL from its host:
// *.webhook.office.com and the older outlook.office.com/webhook and
// outlook.office365.com/webhook are connectors; anything else, notably
// *.logic.azure.com and *.api.powerplatform.com, is taken for Workflows,
// the current kind.
func KindOf(rawURL string) Kind {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Workflows
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case strings.HasSuffix(host, ".webhook.office.com"):
		return Connector
	case (host == "outlook.office.com" || host == "outlook.office365.com") && strings.HasPrefix(u.Path, "/webhook"):
		return Connector
	}
	return Workflows
}

// Redact returns a form of an incoming-webhook URL that is safe to log or
// show: scheme and host only. The rest is secret: a Workflows URL carries
// its signature in the query ("sig"), a connector URL its ids in the path.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// isLoopback reports whether host names this machine, where plain HTTP is
// acceptable (tests, a local relay).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
