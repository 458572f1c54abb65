package card

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"

	"golang.org/x/text/width"

	"github.com/outhook/outhook/bot"
)

// Render returns a reply as plain text for a terminal, as "outhook say"
// and "outhook chat" show it: the text with mentions as @Name, entities
// decoded and markdown links as "label <url>", then each card under a
// "[kind]" line: titles underlined, a blank line where a card draws a
// separator, facts as aligned "name: value" rows,
// columns side by side (stacked when too wide), tables as grids, images as
// "[image: alt] <url>", code fenced, and buttons as "→ label <url>". A
// reply with neither text nor cards shows its summary. Render reads any
// reply, not only those built here: unknown elements and cards show as
// their type.
func Render(r bot.Reply) string {
	var out []string
	if t := renderText(r.Text); t != "" {
		out = append(out, t)
	}
	for _, a := range r.Attachments {
		if block := renderAttachment(a); len(block) > 0 {
			out = append(out, strings.Join(block, "\n"))
		}
	}
	if len(out) == 0 && r.Summary != "" {
		out = append(out, r.Summary)
	}
	return strings.Join(out, "\n\n")
}

var (
	atTag    = regexp.MustCompile(`(?s)<at>(.*?)</at>`)
	brTag    = regexp.MustCompile(`(?i)<br\s*/?>`)
	mdLink   = regexp.MustCompile(`\[([^\]\n]*)\]\(([^)\s]+)\)`)
	htmlTags = regexp.MustCompile(`(?i)</?(p|div|span|b|i|em|strong|pre|code|u|s)(\s[^>]*)?>`)
)

// renderText turns Teams message text into terminal text.
func renderText(s string) string {
	if s == "" {
		return ""
	}
	s = atTag.ReplaceAllString(s, "@$1")
	s = brTag.ReplaceAllString(s, "\n")
	s = htmlTags.ReplaceAllString(s, "")
	s = mdLink.ReplaceAllString(s, "$1 <$2>")
	return strings.TrimRight(html.UnescapeString(s), "\n ")
}

type obj = map[string]any

func str(o obj, k string) string {
	s, _ := o[k].(string)
	return s
}

func list(o obj, k string) []obj {
	arr, _ := o[k].([]any)
	out := make([]obj, 0, len(arr))
	for _, v := range arr {
		if m, ok := v.(obj); ok {
			out = append(out, m)
		}
	}
	return out
}

func renderAttachment(a bot.Attachment) []string {
	var c obj
	_ = json.Unmarshal(a.Content, &c)
	switch a.ContentType {
	case ContentTypeAdaptive:
		lines := []string{"[Adaptive Card]"}
		lines = append(lines, renderElements(list(c, "body"))...)
		return append(lines, renderActions(list(c, "actions"))...)
	case ContentTypeHero, ContentTypeThumbnail:
		kind := "[Hero card]"
		if a.ContentType == ContentTypeThumbnail {
			kind = "[Thumbnail card]"
		}
		lines := append([]string{kind}, heading(str(c, "title"))...)
		lines = appendText(lines, str(c, "subtitle"))
		lines = appendText(lines, str(c, "text"))
		for _, im := range list(c, "images") {
			lines = append(lines, image(str(im, "alt"), str(im, "url")))
		}
		lines = append(lines, renderCardActions(list(c, "buttons"))...)
		if tap, ok := c["tap"].(obj); ok {
			lines = append(lines, "(opens <"+str(tap, "value")+">)")
		}
		return lines
	case ContentTypeList:
		lines := append([]string{"[List card]"}, heading(str(c, "title"))...)
		for _, it := range list(c, "items") {
			if str(it, "type") == "section" {
				lines = append(lines, "-- "+renderText(str(it, "title"))+" --")
				continue
			}
			line := "• " + renderText(str(it, "title"))
			if s := str(it, "subtitle"); s != "" {
				line += " — " + renderText(s)
			}
			if tap, ok := it["tap"].(obj); ok {
				line += " <" + str(tap, "value") + ">"
			}
			lines = append(lines, line)
		}
		return append(lines, renderCardActions(list(c, "buttons"))...)
	case ContentTypeConnector:
		lines := append([]string{"[Connector card]"}, heading(str(c, "title"))...)
		lines = appendText(lines, str(c, "text"))
		for _, s := range list(c, "sections") {
			lines = append(lines, "")
			if t := str(s, "title"); t != "" {
				lines = append(lines, heading(t)...)
			}
			act := strings.TrimSpace(str(s, "activityTitle") + " " + str(s, "activitySubtitle"))
			lines = appendText(lines, act)
			lines = appendText(lines, str(s, "activityText"))
			lines = appendText(lines, str(s, "text"))
			lines = append(lines, facts(list(s, "facts"), "name", "value")...)
			for _, im := range list(s, "images") {
				lines = append(lines, image(str(im, "title"), str(im, "image")))
			}
			lines = append(lines, renderPotential(list(s, "potentialAction"))...)
		}
		return append(lines, renderPotential(list(c, "potentialAction"))...)
	}
	line := "[attachment: " + a.ContentType + "]"
	if a.ContentURL != "" {
		line += " <" + a.ContentURL + ">"
	}
	return []string{line}
}

func appendText(lines []string, s string) []string {
	if t := renderText(s); t != "" {
		lines = append(lines, strings.Split(t, "\n")...)
	}
	return lines
}

func heading(s string) []string {
	t := renderText(s)
	if t == "" {
		return nil
	}
	return []string{t, strings.Repeat("=", min(displayWidth(t), 60))}
}

func image(alt, url string) string {
	if len(url) > 80 && strings.HasPrefix(url, "data:") {
		url = url[:40] + "…"
	}
	if alt != "" {
		return "[image: " + alt + "] <" + url + ">"
	}
	return "[image] <" + url + ">"
}

// renderElements renders elements one after the other; an element drawn
// with a separator line starts after a blank line.
func renderElements(els []obj) []string {
	var lines []string
	for _, e := range els {
		block := renderElement(e)
		if sep, _ := e["separator"].(bool); sep && len(lines) > 0 && len(block) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, block...)
	}
	return lines
}

func renderElement(e obj) []string {
	switch t := str(e, "type"); t {
	case "TextBlock":
		text := str(e, "text")
		if str(e, "weight") == "bolder" && (str(e, "size") == "large" || str(e, "size") == "extraLarge") || str(e, "style") == "heading" {
			return heading(text)
		}
		return appendText(nil, text)
	case "RichTextBlock":
		var b strings.Builder
		for _, in := range list(e, "inlines") {
			b.WriteString(str(in, "text"))
		}
		return appendText(nil, b.String())
	case "FactSet":
		return facts(list(e, "facts"), "title", "value")
	case "Image":
		return []string{image(str(e, "altText"), str(e, "url"))}
	case "ImageSet":
		var lines []string
		for _, im := range list(e, "images") {
			lines = append(lines, image(str(im, "altText"), str(im, "url")))
		}
		return lines
	case "Container":
		return renderElements(list(e, "items"))
	case "ColumnSet":
		var cols [][]string
		for _, c := range list(e, "columns") {
			cols = append(cols, renderElements(list(c, "items")))
		}
		return sideBySide(cols)
	case "Table":
		return table(e)
	case "CodeBlock":
		lang := str(e, "language")
		if strings.EqualFold(lang, "PlainText") {
			lang = ""
		}
		code := strings.TrimRight(str(e, "codeSnippet"), "\n")
		return append(append([]string{"```" + lang}, strings.Split(code, "\n")...), "```")
	case "ActionSet":
		return renderActions(list(e, "actions"))
	case "":
		return nil
	default:
		if strings.HasPrefix(t, "Input.") {
			label := str(e, "label")
			if label == "" {
				label = str(e, "placeholder")
			}
			return []string{"[" + t + ": " + label + "]"}
		}
		return []string{"[" + t + "]"}
	}
}

func renderActions(acts []obj) []string {
	var lines []string
	for _, a := range acts {
		switch t := str(a, "type"); t {
		case "Action.OpenUrl":
			lines = append(lines, "→ "+str(a, "title")+" <"+str(a, "url")+">")
		case "Action.ShowCard":
			lines = append(lines, "→ "+str(a, "title")+" (shows:)")
			if c, ok := a["card"].(obj); ok {
				for _, l := range renderElements(list(c, "body")) {
					lines = append(lines, "    "+l)
				}
			}
		default:
			lines = append(lines, "["+t+": "+str(a, "title")+"]")
		}
	}
	return lines
}

func renderCardActions(acts []obj) []string {
	var lines []string
	for _, a := range acts {
		if t := str(a, "type"); t == "openUrl" {
			lines = append(lines, "→ "+str(a, "title")+" <"+str(a, "value")+">")
		} else {
			lines = append(lines, "["+t+": "+str(a, "title")+"]")
		}
	}
	return lines
}

func renderPotential(acts []obj) []string {
	var lines []string
	for _, a := range acts {
		name, t := str(a, "name"), str(a, "@type")
		targets := list(a, "targets")
		switch {
		case t == "OpenUri" && len(targets) > 0:
			lines = append(lines, "→ "+name+" <"+str(targets[0], "uri")+">")
		case t == "ViewAction":
			var u string
			if ts, ok := a["target"].([]any); ok && len(ts) > 0 {
				u, _ = ts[0].(string)
			}
			lines = append(lines, "→ "+name+" <"+u+">")
		default:
			lines = append(lines, "["+t+": "+name+"]")
		}
	}
	return lines
}

// facts renders name and value pairs as aligned "name: value" rows.
func facts(fs []obj, nameKey, valueKey string) []string {
	w := 0
	for _, f := range fs {
		w = max(w, displayWidth(renderText(str(f, nameKey))))
	}
	lines := make([]string, 0, len(fs))
	for _, f := range fs {
		name := renderText(str(f, nameKey))
		value := strings.ReplaceAll(renderText(str(f, valueKey)), "\n", "\n"+strings.Repeat(" ", w+2))
		lines = append(lines, name+":"+strings.Repeat(" ", w-displayWidth(name)+1)+value)
	}
	return lines
}

// maxColumnsWidth is the widest a row of columns may be before they are
// stacked instead.
const maxColumnsWidth = 100

// sideBySide lays blocks of lines out as columns separated by " | ", or
// one under the other when that would be too wide.
func sideBySide(cols [][]string) []string {
	widths := make([]int, len(cols))
	total, rows := 0, 0
	for i, c := range cols {
		for _, l := range c {
			widths[i] = max(widths[i], displayWidth(l))
		}
		total += widths[i] + 3
		rows = max(rows, len(c))
	}
	if total > maxColumnsWidth || len(cols) < 2 {
		var out []string
		for _, c := range cols {
			out = append(out, c...)
		}
		return out
	}
	out := make([]string, rows)
	for r := range rows {
		var b strings.Builder
		for i, c := range cols {
			cell := ""
			if r < len(c) {
				cell = c[r]
			}
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(cell)
			if i < len(cols)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)))
			}
		}
		out[r] = strings.TrimRight(b.String(), " ")
	}
	return out
}

// table renders an Adaptive Card Table as a grid.
func table(e obj) []string {
	var grid [][]string
	for _, row := range list(e, "rows") {
		var cells []string
		for _, cell := range list(row, "cells") {
			cells = append(cells, strings.Join(renderElements(list(cell, "items")), " "))
		}
		grid = append(grid, cells)
	}
	if len(grid) == 0 {
		return nil
	}
	n := 0
	for _, r := range grid {
		n = max(n, len(r))
	}
	widths := make([]int, n)
	for _, r := range grid {
		for i, c := range r {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	headers := true
	if v, ok := e["firstRowAsHeaders"].(bool); ok {
		headers = v
	}
	var out []string
	for ri, r := range grid {
		var b strings.Builder
		for i := range n {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(c + strings.Repeat(" ", widths[i]-displayWidth(c)))
		}
		out = append(out, strings.TrimRight(b.String(), " "))
		if ri == 0 && headers && len(grid) > 1 {
			var sep []string
			for _, w := range widths {
				sep = append(sep, strings.Repeat("-", w))
			}
			out = append(out, strings.Join(sep, "-+-"))
		}
	}
	return out
}

// displayWidth returns how many terminal cells s takes: East Asian wide
// and full-width runes take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
