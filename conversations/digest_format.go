package conversations

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/klabot/klabot/scoring"
)

// The helpers below write numbers, dates and times the way Indonesian civil servants read
// them: 1.234,5 for numbers, "23 November 2026" for dates, "07.00 WITA" for times.

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
	"Agustus", "September", "Oktober", "November", "Desember"}

var weekdaysID = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}

// pointsID writes a score with one decimal (612,4 and 1.000,0), rounded exactly as
// `klabot score` rounds it (scoring.FormatPoints), so both always show the same number.
func pointsID(v float64) string {
	return scoring.FormatPoints(v)
}

// maxID writes a maximum without decimals when it is whole: 130 and 92,5.
func maxID(v float64) string {
	if v == math.Trunc(v) {
		return numberID(v, 0)
	}
	return numberID(v, 1)
}

// deltaID writes a signed change: +12,3, −4,0 and ±0,0.
func deltaID(v float64) string {
	r := scoring.Display(v)
	switch {
	case r > 0:
		return "+" + pointsID(r)
	case r < 0:
		return "−" + pointsID(-r)
	}
	return "±0,0"
}

// numberID writes v with decimals places, '.' between thousands and ',' before decimals.
func numberID(v float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	neg := v < 0 && strings.Trim(s, "0.") != ""
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(groupThousands(intPart, "."))
	if frac != "" {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}

// groupThousands writes the digits of an integer part with sep between each group of
// three: "1234567" and "." give "1.234.567". FormatNumber and numberID share it.
func groupThousands(digits, sep string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// percentID writes a share 0..1 as a whole percentage like `klabot score` (15%), except
// that an unfinished share never shows as 100%.
func percentID(share float64) string {
	s := scoring.FormatPercent(share)
	if share < 1 && s == "100%" {
		return "99%"
	}
	return s
}

// dateID writes the calendar date of t: 23 November 2026.
func dateID(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), monthsID[t.Month()-1], t.Year())
}

// dayDateID writes the weekday and date: Senin, 23 November 2026.
func dayDateID(t time.Time) string {
	return weekdaysID[t.Weekday()] + ", " + dateID(t)
}

// clockID writes the time of day in t's zone with its Indonesian abbreviation: 07.00 WITA.
func clockID(t time.Time) string {
	return fmt.Sprintf("%02d.%02d %s", t.Hour(), t.Minute(), zoneAbbrev(t))
}

// zoneAbbrev names t's zone as Indonesians do (WIB, WITA, WIT) by its offset, whatever
// the zone database calls it; other offsets get "UTC+h".
func zoneAbbrev(t time.Time) string {
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

// civilDate is a calendar date with no zone: the local day of a region.
func civilDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// daysBetween counts calendar days from a to b (b − a), on their own calendar dates.
func daysBetween(a, b time.Time) int {
	return int(math.Round(civilDate(b).Sub(civilDate(a)).Hours() / 24))
}

// deadlineID says when the deadline is, seen from the local day now:
// "31 Desember 2026 (38 hari lagi)", "(hari ini)", "(lewat 3 hari)".
func deadlineID(deadline, now time.Time) string {
	d := daysBetween(now, deadline)
	switch {
	case d > 0:
		return fmt.Sprintf("%s (%d hari lagi)", dateID(deadline), d)
	case d == 0:
		return dateID(deadline) + " (hari ini)"
	}
	return fmt.Sprintf("%s (lewat %d hari)", dateID(deadline), -d)
}

// namesID lists up to max names, then "+N lainnya".
func namesID(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(", +%d lainnya", len(names)-max)
}

// FormatDateID writes the calendar date of t in Indonesian: 23 November 2026.
func FormatDateID(t time.Time) string { return dateID(t) }
