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
		return YesNoLabel(v.Text, lang)
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

// YesNoLabel is the word of a yes/partly/no value in lang ("Ya", "Sebagian", "Tidak").
func YesNoLabel(v, lang string) string {
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
