package evidencepack

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
)

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
	"Agustus", "September", "Oktober", "November", "Desember"}

// dateID writes t as "23 November 2026".
func dateID(t time.Time) string {
	return strconv.Itoa(t.Day()) + " " + monthsID[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// timeID writes t in loc as "23 November 2026 10.05 WIB".
func timeID(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return dateID(t) + " " + t.Format("15.04") + " " + zoneName(t)
}

// zoneName names Indonesia's zones by their offset (tzdata's abbreviations vary).
func zoneName(t time.Time) string {
	switch _, off := t.Zone(); off {
	case 7 * 3600:
		return "WIB"
	case 8 * 3600:
		return "WITA"
	case 9 * 3600:
		return "WIT"
	}
	return t.Format("MST")
}

// numberID writes n the Indonesian way: "1.234,5", at most two decimals.
func numberID(n float64) string {
	neg := n < 0
	n = math.Abs(n)
	s := strconv.FormatFloat(math.Round(n*100)/100, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "," + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// pointsID writes points with one decimal: "612,5". Points are never negative.
func pointsID(n float64) string {
	r := math.Round(n*10) / 10
	whole := math.Trunc(r)
	return numberID(whole) + "," + strconv.Itoa(int(math.Round((r-whole)*10)))
}

// answerText shows an answer value as a person reads it.
func answerText(q scoring.Question, a *conversations.ReviewItem) string {
	if a == nil {
		return ""
	}
	v := a.Value
	switch q.Type {
	case scoring.YesNo, scoring.YesPartialNo:
		switch v.Text {
		case scoring.ValueYes:
			return "Ya"
		case scoring.ValuePartial:
			return "Sebagian"
		case scoring.ValueNo:
			return "Tidak"
		}
		return v.Text
	case scoring.Number:
		return numberID(v.Number)
	case scoring.Percent:
		return numberID(v.Number) + "%"
	case scoring.Date:
		if t, err := time.Parse("2006-01-02", v.Text); err == nil {
			return dateID(t)
		}
		return v.Text
	case scoring.File:
		if len(a.Evidence) > 0 {
			return "(berkas terlampir)"
		}
		return "(belum ada berkas)"
	}
	return v.Text
}

// stateText is the review state shown in the workbook.
func stateText(a *conversations.ReviewItem) string {
	if a == nil {
		return "belum dijawab"
	}
	return a.State.Label()
}

// sizeID writes a byte count as "12,3 MB".
func sizeID(n int64) string {
	switch {
	case n >= 1<<20:
		return numberID(math.Round(float64(n)/(1<<20)*10)/10) + " MB"
	case n >= 1<<10:
		return numberID(math.Round(float64(n)/(1<<10))) + " KB"
	}
	return strconv.FormatInt(n, 10) + " byte"
}
