package conversations

import (
	"github.com/klabot/klabot/conversations/idfmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klabot/klabot/scoring"
)

// FormatValue writes a stored answer for people: "Ya", "87,5%", "14 Maret 2025".
func FormatValue(q scoring.Question, v scoring.Value, lang string) string {
	switch q.Type {
	case scoring.YesNo, scoring.YesPartialNo:
		return yesNoLabel(v.Text, lang)
	case scoring.Number:
		return idfmt.Number(v.Number, lang)
	case scoring.Percent:
		return idfmt.Number(v.Number, lang) + "%"
	case scoring.Date:
		if t, err := time.Parse("2006-01-02", v.Text); err == nil {
			return idfmt.Date(t, lang)
		}
		return v.Text
	case scoring.File:
		return tr(lang, msgFileAnswer)
	}
	return v.Text
}

func yesNoLabel(v, lang string) string {
	switch v {
	case scoring.ValueYes:
		return tr(lang, msgYes)
	case scoring.ValuePartial:
		return tr(lang, msgPartial)
	case scoring.ValueNo:
		return tr(lang, msgNo)
	}
	return v
}

// endSentence ends s with a full stop unless it already ends with sentence punctuation,
// so a typed answer that ends in "." is not echoed with "..".
func endSentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "…") {
		return s
	}
	return s + "."
}

// Shorten cuts s to at most n runes with an ellipsis, at a word boundary when one is near.
func Shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
