package conversations

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/klabot/klabot/scoring"
)

// FormatNumber writes n the Indonesian way: "1.250", "87,5", "1.250,75" (at most two
// decimals, trailing zeros dropped). lang "en" gives "1,250.75".
func FormatNumber(n float64, lang string) string {
	thou, dec := ".", ","
	if lang == "en" {
		thou, dec = ",", "."
	}
	neg := n < 0
	n = math.Abs(n)
	s := strconv.FormatFloat(math.Round(n*100)/100, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	out := groupThousands(intPart, thou)
	if frac != "" {
		out += dec + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// FormatSize writes a file size as "1,2 MB", "340 KB" or "900 B".
func FormatSize(n int64, lang string) string {
	switch {
	case n >= 1<<20:
		return FormatNumber(math.Round(float64(n)/(1<<20)*10)/10, lang) + " MB"
	case n >= 1<<10:
		return FormatNumber(math.Round(float64(n)/(1<<10)), lang) + " KB"
	}
	return fmt.Sprintf("%d B", n)
}

// FormatDate writes a date as "23 November 2026" (English month names for "en").
func FormatDate(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2 January 2006")
	}
	return dateID(t)
}

// FormatValue writes a stored answer for people: "Ya", "87,5%", "14 Maret 2025".
func FormatValue(q scoring.Question, v scoring.Value, lang string) string {
	switch q.Type {
	case scoring.YesNo, scoring.YesPartialNo:
		return yesNoLabel(v.Text, lang)
	case scoring.Number:
		return FormatNumber(v.Number, lang)
	case scoring.Percent:
		return FormatNumber(v.Number, lang) + "%"
	case scoring.Date:
		if t, err := time.Parse("2006-01-02", v.Text); err == nil {
			return FormatDate(t, lang)
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
