package matrix

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// mentioner finds and removes the bot's mentions in a message: a pill (a
// matrix.to link or m.mentions), the full user ID, the display name or the
// localpart, with or without a leading @ and a trailing colon or comma.
type mentioner struct {
	me id.UserID
	re *regexp.Regexp // nil when there is no name to look for
}

func newMentioner(me id.UserID, displayName string) mentioner {
	local, _, _ := me.Parse()
	seen := map[string]bool{}
	var names []string
	for _, n := range []string{strings.TrimPrefix(string(me), "@"), displayName, local} {
		n = strings.TrimSpace(strings.TrimPrefix(n, "@"))
		if n == "" || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		names = append(names, regexp.QuoteMeta(n))
	}
	if len(names) == 0 {
		return mentioner{me: me}
	}
	// Longest first, so the full ID wins over the localpart it starts with.
	sort.SliceStable(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return mentioner{me: me, re: regexp.MustCompile(`(?i)@?(?:` + strings.Join(names, "|") + `)[:,]?`)}
}

// find reports whether the message addresses the bot and returns the body
// with the mentions removed.
func (m mentioner) find(body, formatted string, mentions *event.Mentions) (bool, string) {
	mentioned := mentions.Has(m.me) || m.pill(formatted)
	if m.re == nil {
		return mentioned, body
	}
	var b strings.Builder
	last := 0
	for _, loc := range m.re.FindAllStringIndex(body, -1) {
		start, end := loc[0], loc[1]
		if start < last || !boundaryBefore(body, start) || !boundaryAfter(body, end) {
			continue
		}
		b.WriteString(body[last:start])
		b.WriteByte(' ')
		last = end
		mentioned = true
	}
	b.WriteString(body[last:])
	return mentioned, strings.TrimSpace(b.String())
}

// pill reports whether formatted HTML links to the bot's matrix.to URL.
func (m mentioner) pill(formatted string) bool {
	if formatted == "" {
		return false
	}
	f := strings.ToLower(formatted)
	me := strings.ToLower(string(m.me))
	return strings.Contains(f, "matrix.to/#/"+me) ||
		strings.Contains(f, "matrix.to/#/"+strings.ToLower(url.QueryEscape(string(m.me)))) ||
		strings.Contains(f, "matrix:u/"+strings.TrimPrefix(me, "@"))
}

func isNameRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !isNameRune(r) && r != '@' && r != '.'
}

func boundaryAfter(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !isNameRune(r)
}

// commandLine returns the text after prefix when text starts with it (case
// does not matter) followed by a space or nothing.
func commandLine(text, prefix string) (string, bool) {
	t := strings.TrimSpace(text)
	if len(t) < len(prefix) || !strings.EqualFold(t[:len(prefix)], prefix) {
		return "", false
	}
	rest := t[len(prefix):]
	if rest != "" {
		r, _ := utf8.DecodeRuneInString(rest)
		if !unicode.IsSpace(r) {
			return "", false
		}
	}
	return strings.TrimSpace(rest), true
}
