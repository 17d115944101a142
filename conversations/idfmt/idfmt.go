// Package idfmt writes numbers, sizes, dates and times the way Indonesian civil servants
// read them: 1.234,5 for numbers, "23 November 2026" for dates, "07.00 WITA" for times.
// It is the one place for this formatting: the dialogue, the digests, the heads' score
// answers and the evidence pack's workbook all use it. It is a leaf: it knows no texts of
// the dialogue and no store.
package idfmt

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/klabot/klabot/scoring"
)

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
	"Agustus", "September", "Oktober", "November", "Desember"}

var weekdaysID = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}

// Number writes n the Indonesian way: "1.250", "87,5", "1.250,75" (at most two
// decimals, trailing zeros dropped). lang "en" gives "1,250.75".
func Number(n float64, lang string) string {
	thou, dec := ".", ","
	if lang == "en" {
		thou, dec = ",", "."
	}
	neg := n < 0
	n = math.Abs(n)
	s := strconv.FormatFloat(math.Round(n*100)/100, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	out := GroupThousands(intPart, thou)
	if frac != "" {
		out += dec + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// Fixed writes v with decimals places, '.' between thousands and ',' before decimals:
// Fixed(1234.5, 1) is "1.234,5", Fixed(-0.01, 1) is "0,0".
func Fixed(v float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	neg := v < 0 && strings.Trim(s, "0.") != ""
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(GroupThousands(intPart, "."))
	if frac != "" {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}

// GroupThousands writes the digits of an integer part with sep between each group of
// three: "1234567" and "." give "1.234.567".
func GroupThousands(digits, sep string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Points writes a score with one decimal (612,4 and 1.000,0), rounded exactly as
// `klabot score` rounds it (scoring.FormatPoints), so both always show the same number.
func Points(v float64) string { return scoring.FormatPoints(v) }

// Max writes a maximum without decimals when it is whole: 130 and 92,5.
func Max(v float64) string {
	if v == math.Trunc(v) {
		return Fixed(v, 0)
	}
	return Fixed(v, 1)
}

// Delta writes a signed change: +12,3, −4,0 and ±0,0.
func Delta(v float64) string {
	r := scoring.Display(v)
	switch {
	case r > 0:
		return "+" + Points(r)
	case r < 0:
		return "−" + Points(-r)
	}
	return "±0,0"
}

// Percent writes a share 0..1 as a whole percentage like `klabot score` (15%), except
// that an unfinished share never shows as 100%.
func Percent(share float64) string {
	s := scoring.FormatPercent(share)
	if share < 1 && s == "100%" {
		return "99%"
	}
	return s
}

// Size writes a file size as "1,2 MB", "340 KB" or "900 B".
func Size(n int64, lang string) string {
	switch {
	case n >= 1<<20:
		return Number(math.Round(float64(n)/(1<<20)*10)/10, lang) + " MB"
	case n >= 1<<10:
		return Number(math.Round(float64(n)/(1<<10)), lang) + " KB"
	}
	return fmt.Sprintf("%d B", n)
}

// DateID writes the calendar date of t in Indonesian: 23 November 2026.
func DateID(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), monthsID[t.Month()-1], t.Year())
}

// Date writes a date as "23 November 2026" (English month names for "en").
func Date(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2 January 2006")
	}
	return DateID(t)
}

// DayDate writes the weekday and date: Senin, 23 November 2026.
func DayDate(t time.Time) string {
	return weekdaysID[t.Weekday()] + ", " + DateID(t)
}

// Clock writes the time of day in t's zone with its Indonesian abbreviation: 07.00 WITA.
func Clock(t time.Time) string {
	return fmt.Sprintf("%02d.%02d %s", t.Hour(), t.Minute(), Zone(t))
}

// DateTime writes t in loc as "23 November 2026 10.05 WIB".
func DateTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return DateID(t) + " " + Clock(t)
}

// Zone names t's zone as Indonesians do (WIB, WITA, WIT) by its offset, whatever the
// zone database calls it; other offsets get "UTC+h".
func Zone(t time.Time) string {
	_, off := t.Zone()
	switch off {
	case 7 * 3600:
		return "WIB"
	case 8 * 3600:
		return "WITA"
	case 9 * 3600:
		return "WIT"
	}
	h := float64(off) / 3600
	return "UTC" + strconv.FormatFloat(h, 'f', -1, 64)
}

// CivilDate is the calendar date of t with no zone: the local day of a region.
func CivilDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// DaysBetween counts calendar days from a to b (b − a), on their own calendar dates.
func DaysBetween(a, b time.Time) int {
	return int(math.Round(CivilDate(b).Sub(CivilDate(a)).Hours() / 24))
}
