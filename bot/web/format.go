package web

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/scoring"
)

// points writes points with one decimal, Indonesian style: 1.234,5.
func points(v float64) string { return idfmt.Points(v) }

// signedPoints writes a change of points: +12,5, −3,0, ±0,0.
func signedPoints(v float64) string { return idfmt.Delta(v) }

// dateTime writes t in loc: 2 Maret 2026 09.02 WIB.
func dateTime(t time.Time, loc *time.Location) string { return idfmt.DateTime(t, loc) }

// date writes t's local date: 2 Maret 2026.
func date(t time.Time, loc *time.Location) string { return idfmt.DateID(t.In(loc)) }

// civilDays is the number of local calendar days from a to b.
func civilDays(a, b time.Time) int { return idfmt.DaysBetween(a, b) }

// since says how long ago t was, in local days: hari ini, kemarin, 5 hari lalu.
func since(t time.Time, now time.Time) string {
	switch d := civilDays(t.In(now.Location()), now); {
	case d <= 0:
		return "hari ini"
	case d == 1:
		return "kemarin"
	default:
		return fmt.Sprintf("%d hari lalu", d)
	}
}

// size writes a file size: 1,2 MB.
func size(n int64) string { return idfmt.Size(n, "id") }

// opdNames lists the OPDs responsible for a question; a long official name gives way to
// the OPD's code.
func opdNames(refs []scoring.OPDRef) string {
	names := make([]string, 0, len(refs))
	for _, o := range refs {
		n := o.Name
		if n == "" || utf8.RuneCountInString(n) > 30 {
			n = o.Code
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// percent writes a share 0..1 as a whole percentage for a bar's width.
func percent(share float64) int {
	if share <= 0 {
		return 0
	}
	if share >= 1 {
		return 100
	}
	return int(share*100 + 0.5)
}

// safeFileName keeps a download name to letters, digits, dot, dash and underscore.
func safeFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)), r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "berkas"
	}
	return b.String()
}

// stateLabel is the Indonesian name of a question's state in the dashboard.
func stateLabel(st string) string {
	switch st {
	case stUnanswered:
		return "belum dijawab"
	case stNoEvidence:
		return "bukti belum ada"
	case stWaiting:
		return "menunggu tinjauan"
	case stSentBack:
		return "dikembalikan"
	case stApproved:
		return "diterima"
	}
	return st
}

// Question states for the filter.
const (
	stUnanswered = "belum"
	stNoEvidence = "tanpa-bukti"
	stWaiting    = "menunggu"
	stSentBack   = "dikembalikan"
	stApproved   = "diterima"
)

var questionStates = []string{stUnanswered, stNoEvidence, stWaiting, stSentBack, stApproved}
