package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/teamsim"
)

// Limits on what the page may send.
const (
	maxSendBody = 64 << 10 // request to SendPath
	maxText     = 8 << 10  // the typed command
	maxField    = 512      // a name or an id
	maxReply    = 1 << 20  // the bot's answer
)

// defaultAsker is who the page posts as by default: teamsim's sender.
var defaultAsker = bot.Account{
	ID:          "29:1adaLovelaceXq0bDRvq0v7Pi3Uq1J2kXqR8n6aYl2XwKc3e9HfLZm1u8Hx7pQ4",
	Name:        "Ada Lovelace",
	AADObjectID: "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f",
}

// sendRequest is what the page posts to SendPath: the text as typed after
// @Bot, and who asks from where. Empty ids take the console's defaults.
type sendRequest struct {
	Text        string `json:"text"`
	Name        string `json:"name"`
	AADObjectID string `json:"aadObjectId"`
	Team        string `json:"team"`
	Channel     string `json:"channel"`
	Tenant      string `json:"tenant"`
}

// sendResult is what SendPath answers: the bot's status and reply, the
// activity that was sent, and the time taken against the budget.
type sendResult struct {
	Status    int     `json:"status"`
	ElapsedMS float64 `json:"elapsedMs"`
	BudgetMS  int64   `json:"budgetMs"`
	// Bytes is the size of the bot's answer; Teams takes about 28 KB.
	Bytes    int             `json:"bytes"`
	Activity json.RawMessage `json:"activity"`
	// Reply is the bot's answer when it is JSON; Body holds it otherwise.
	Reply json.RawMessage `json:"reply,omitempty"`
	Body  string          `json:"body,omitempty"`
	// Error says why no answer came (the bot is unreachable, too slow).
	Error string `json:"error,omitempty"`
}

// decode reads and checks a sendRequest.
func (sr *sendRequest) decode(r io.Reader) error {
	dec := json.NewDecoder(io.LimitReader(r, maxSendBody+1))
	if err := dec.Decode(sr); err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	if dec.More() {
		return errors.New("reading the request: one JSON object expected")
	}
	sr.Text = strings.TrimSpace(sr.Text)
	switch {
	case sr.Text == "":
		return errors.New("text is required")
	case len(sr.Text) > maxText:
		return fmt.Errorf("text is longer than %d bytes", maxText)
	}
	for k, v := range map[string]string{"name": sr.Name, "aadObjectId": sr.AADObjectID, "team": sr.Team, "channel": sr.Channel, "tenant": sr.Tenant} {
		if len(v) > maxField {
			return fmt.Errorf("%s is longer than %d bytes", k, maxField)
		}
	}
	return nil
}

// message returns the post Teams would make for sr.
func (c *Console) message(sr sendRequest) teamsim.Message {
	m := teamsim.Message{
		Text:    sr.Text,
		BotName: c.cfg.BotName,
		Team:    pick(sr.Team, c.cfg.Team),
		Channel: pick(sr.Channel, c.cfg.Channel),
		Tenant:  pick(sr.Tenant, c.cfg.Tenant),
	}
	name := strings.TrimSpace(sr.Name)
	switch {
	case name == "" || name == c.cfg.Asker.Name && sr.AADObjectID == c.cfg.Asker.AADObjectID:
		m.From = c.cfg.Asker
	default:
		m.From = bot.Account{Name: name, AADObjectID: strings.TrimSpace(sr.AADObjectID)}
		m.From.ID = "29:local-" + strings.ReplaceAll(strings.ToLower(name), " ", "-")
	}
	return m
}

func pick(given, dflt string) string {
	if s := strings.TrimSpace(given); s != "" {
		return s
	}
	return dflt
}

// send posts the page's message to the bot, signed as Teams signs it, and
// answers with what came back.
func (c *Console) send(w http.ResponseWriter, r *http.Request) {
	if !isJSON(r) {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return
	}
	var sr sendRequest
	if err := sr.decode(r.Body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	activity := c.message(sr).JSON()
	res := sendResult{Activity: activity, BudgetMS: c.cfg.Budget.Milliseconds()}
	req, err := teamsim.NewRequest(c.cfg.BotURL, c.cfg.Token, activity)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "signing the activity failed")
		return
	}
	req = req.WithContext(r.Context())
	start := time.Now()
	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		res.ElapsedMS = ms(time.Since(start))
		res.Error = "posting to the bot failed: " + errorText(err)
		c.cfg.Logger.Warn().Str("error", res.Error).Msg("console: post to bot failed")
		writeJSON(w, http.StatusBadGateway, res)
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	resp.Body.Close()
	res.ElapsedMS = ms(time.Since(start))
	res.Status = resp.StatusCode
	res.Bytes = len(body)
	if err != nil {
		res.Error = "reading the bot's answer failed: " + errorText(err)
	}
	if body = bytes.TrimSpace(body); json.Valid(body) && len(body) > 0 {
		res.Reply = body
	} else {
		res.Body = string(body)
	}
	writeJSON(w, http.StatusOK, res)
}

// errorText is err without the URL that *url.Error repeats.
func errorText(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// defaults answers the page's starting values.
func (c *Console) defaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"botName":     c.cfg.BotName,
		"name":        c.cfg.Asker.Name,
		"aadObjectId": c.cfg.Asker.AADObjectID,
		"team":        pick(c.cfg.Team, teamsim.DefaultTeam),
		"channel":     pick(c.cfg.Channel, teamsim.DefaultChannel),
		"tenant":      pick(c.cfg.Tenant, teamsim.DefaultTenant),
		"budgetMs":    c.cfg.Budget.Milliseconds(),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding the answer failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
