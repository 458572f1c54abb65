// Package runbook provides the runbook command, configured from the file:
// keywords lead to answers (runbook links, the on-call rota, FAQ entries),
// as text or as a card, and any other words search the entries.
//
//	plugin_config:
//	  runbook:
//	    entries:
//	      - keys: [oncall, rota]
//	        title: On-call rota
//	        facts: [{name: This week, value: Ada}, {name: Next week, value: Grace}]
//	        links: [{title: PagerDuty, url: "https://example.pagerduty.com/schedules"}]
//	      - keys: [vpn]
//	        text: "Install the client from the IT portal, then sign in with your badge."
//
// "runbook" lists the keywords; "runbook oncall" answers that entry;
// "runbook reset password" searches titles, keywords and texts by word and
// answers the best match; "runbook search vpn" lists every match.
// See docs/workflow-plugins.md.
package runbook

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/card"
	"github.com/outhook/outhook/plugins"
	"github.com/outhook/outhook/router"
)

func init() {
	plugins.Register(plugins.Info{
		ID:       "runbook",
		Summary:  "Answer keywords with runbook links, the on-call rota and FAQ entries",
		New:      New,
		Explicit: true,
	})
}

// MaxResults is how many entries a search lists.
const MaxResults = 5

// Plugin is the runbook plugin. Its exported fields are its settings.
type Plugin struct {
	// Entries are the answers. Required: at least one.
	Entries []Entry `json:"entries"`
	// Command is the command's name. Optional; default "runbook".
	Command string `json:"command"`
	// Aliases are other names for the command. Optional; default ["rb",
	// "faq"]. An empty list means none.
	Aliases *[]string `json:"aliases"`

	replies []bot.Reply // replies[i] answers Entries[i]
	index   map[string]int
}

// Entry is one answer and the keywords that lead to it.
type Entry struct {
	// Keys are the words that answer with this entry, matched without
	// regard to case: "runbook oncall". Required: at least one, each one
	// word, unique across entries.
	Keys []string `json:"keys"`
	// Title heads the answer. Optional; required with facts or links.
	Title string `json:"title"`
	// Text is the answer, in the markdown Teams renders. Optional.
	Text string `json:"text"`
	// Facts are name/value pairs, such as the rota. Optional.
	Facts []Fact `json:"facts"`
	// Links open runbooks, dashboards, documents. Optional.
	Links []Link `json:"links"`
}

// Fact is a name and a value, shown side by side.
type Fact struct {
	// Name is the label, such as "This week". Required.
	Name string `json:"name"`
	// Value is the value; Teams renders a subset of markdown in it. Required.
	Value string `json:"value"`
}

// Link is a button that opens a URL.
type Link struct {
	// Title is the button's label. Required.
	Title string `json:"title"`
	// URL is what it opens: http, https, mailto, tel or msteams. Required.
	URL string `json:"url"`
}

var (
	_ plugins.Plugin      = (*Plugin)(nil)
	_ plugins.Provisioner = (*Plugin)(nil)
	_ plugins.Validator   = (*Plugin)(nil)
)

// New returns an unconfigured runbook plugin.
func New() plugins.Plugin { return &Plugin{} }

// Provision fills in defaults.
func (p *Plugin) Provision(context.Context, plugins.Host) error {
	if p.Command == "" {
		p.Command = "runbook"
	}
	if p.Aliases == nil {
		p.Aliases = &[]string{"rb", "faq"}
	}
	return nil
}

// Validate checks the entries and builds every answer, so that a card
// Teams would reject stops start-up instead of failing in the channel.
func (p *Plugin) Validate() error {
	if len(p.Entries) == 0 {
		return errors.New("entries: list at least one entry")
	}
	p.index = map[string]int{}
	p.replies = make([]bot.Reply, len(p.Entries))
	for i, e := range p.Entries {
		at := fmt.Sprintf("entries[%d]", i)
		if len(e.Keys) == 0 {
			return fmt.Errorf("%s.keys: give the entry at least one keyword", at)
		}
		for _, k := range e.Keys {
			key := strings.ToLower(strings.TrimSpace(k))
			if key == "" || strings.ContainsFunc(key, unicode.IsSpace) {
				return fmt.Errorf("%s.keys: %q is not one word", at, k)
			}
			if key == "search" {
				return fmt.Errorf("%s.keys: %q is the search subcommand; choose another keyword", at, k)
			}
			if j, dup := p.index[key]; dup {
				return fmt.Errorf("%s.keys: %q is already a keyword of entries[%d]", at, k, j)
			}
			p.index[key] = i
		}
		r, err := e.reply()
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		p.replies[i] = r
	}
	return nil
}

// reply builds the answer: text alone stays text; facts or links make a card.
func (e Entry) reply() (bot.Reply, error) {
	if len(e.Facts) == 0 && len(e.Links) == 0 {
		switch {
		case e.Text == "" && e.Title == "":
			return bot.Reply{}, errors.New("give the entry a text, facts or links")
		case e.Title == "":
			return bot.Text(e.Text), nil
		case e.Text == "":
			return bot.Text("**" + bot.Escape(e.Title) + "**"), nil
		}
		return bot.Text("**" + bot.Escape(e.Title) + "**\n\n" + e.Text), nil
	}
	if e.Title == "" {
		return bot.Reply{}, errors.New("title: an entry with facts or links needs a title")
	}
	c := card.Adaptive(card.Heading(e.Title))
	if e.Text != "" {
		c.Add(card.Text(e.Text))
	}
	if len(e.Facts) > 0 {
		fs := make([]card.Fact, len(e.Facts))
		for i, f := range e.Facts {
			fs[i] = card.Fact{Name: f.Name, Value: f.Value}
		}
		c.Add(card.Facts(fs...))
	}
	for _, l := range e.Links {
		c.Link(l.Title, l.URL)
	}
	return c.Reply()
}

// Args are the arguments of the runbook command.
type Args struct {
	// Topic is a keyword, or words to search for.
	Topic []string `arg:"" optional:"" sep:"none" help:"A keyword, or a few words to search for. Without: the list of keywords."`
}

// SearchArgs are the arguments of its search subcommand.
type SearchArgs struct {
	// Words are what to look for.
	Words []string `arg:"" sep:"none" help:"Words to look for in titles, keywords, texts and facts."`
}

// Commands returns the runbook command and its search subcommand.
func (p *Plugin) Commands() []*router.Command {
	name := p.Command
	if name == "" {
		name = "runbook"
	}
	cmd := &router.Command{
		Name:        name,
		Summary:     "Runbooks, on-call and FAQ: a keyword, or words to search",
		Description: "A keyword answers with its entry; other words answer with the best match.",
		Args:        Args{},
		Handler:     p.handle,
		Subcommands: []*router.Command{{
			Name:     "search",
			Summary:  "List every entry that matches the words",
			Examples: []string{name + " search password"},
			Args:     SearchArgs{},
			Handler: func(c *router.Context) error {
				return c.Reply(p.search(c.Parsed.(*SearchArgs).Words, true))
			},
		}},
	}
	if p.Aliases != nil {
		cmd.Aliases = *p.Aliases
	}
	if len(p.Entries) > 0 {
		cmd.Examples = []string{name, name + " " + p.Entries[0].Keys[0]}
	}
	return []*router.Command{cmd}
}

func (p *Plugin) handle(c *router.Context) error {
	words := c.Parsed.(*Args).Topic
	if len(words) == 0 {
		return c.Reply(p.list())
	}
	if len(words) == 1 {
		if i, ok := p.index[strings.ToLower(words[0])]; ok {
			return c.Reply(p.replies[i])
		}
	}
	return c.Reply(p.search(words, false))
}

// list answers with every entry's keywords.
func (p *Plugin) list() bot.Reply {
	var b strings.Builder
	b.WriteString("Ask me about:\n\n")
	for _, e := range p.Entries {
		fmt.Fprintf(&b, "- %s", bot.Code(e.Keys[0]))
		if e.Title != "" {
			fmt.Fprintf(&b, ": %s", bot.Escape(e.Title))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nSend `%s <keyword>`, a few words, or `%s search <words>` for every match.", p.Command, p.Command)
	return bot.Text(b.String())
}

// search ranks entries by how many of the words they contain (keywords
// count double) and answers with the best one, or a list when several tie
// or when all asks for every match ("runbook search …").
func (p *Plugin) search(words []string, all bool) bot.Reply {
	type hit struct{ entry, score int }
	var hits []hit
	for i, e := range p.Entries {
		score := 0
		keys := strings.ToLower(strings.Join(e.Keys, " "))
		body := strings.ToLower(e.Title + " " + e.Text + " " + facts(e.Facts))
		for _, w := range words {
			w = strings.ToLower(strings.Trim(w, ".,;:!?\"'-"))
			if w == "" {
				continue
			}
			if containsWord(keys, w) {
				score += 2
			}
			if containsWord(body, w) {
				score++
			}
		}
		if score > 0 {
			hits = append(hits, hit{i, score})
		}
	}
	query := strings.Join(words, " ")
	if len(hits) == 0 {
		return bot.Textf("Nothing in the runbook matches %s. Send `%s` for the list.", bot.Code(query), p.Command)
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].score > hits[b].score })
	if len(hits) == 1 || (!all && hits[0].score > hits[1].score) {
		return p.replies[hits[0].entry]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Several entries match %s:\n\n", bot.Code(query))
	for _, h := range hits[:min(len(hits), MaxResults)] {
		e := p.Entries[h.entry]
		fmt.Fprintf(&b, "- %s", bot.Code(p.Command+" "+e.Keys[0]))
		if e.Title != "" {
			fmt.Fprintf(&b, ": %s", bot.Escape(e.Title))
		}
		b.WriteString("\n")
	}
	return bot.Text(strings.TrimSpace(b.String()))
}

func facts(fs []Fact) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Name + " " + f.Value + " ")
	}
	return b.String()
}

// containsWord reports whether w occurs in s as a whole word, or as the
// start of one (so "deploy" finds "deployment").
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		if j == 0 || !isWordRune(rune(s[j-1])) {
			return true
		}
		i = j + 1
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
