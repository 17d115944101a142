// Package parse reads what Indonesians type as answers: yes/no in its many spellings,
// numbers written 1.250,75 or 1,250.75, percentages, dates such as "14 Maret 2025" or
// 14/03/2025, and option numbers. It is a leaf: a *ParseError names the Reason, and the
// capability that asked the question turns the reason into its correction text.
package parse

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/klabot/klabot/scoring"
)

// ParseError says why an answer was not understood; Key names the correction text.
type ParseError struct {
	Key Reason
}

func (e *ParseError) Error() string { return "answer not understood: " + string(e.Key) }

// Reason names why an answer was not understood. Its value is the key of the correction
// text in the asking capability's catalogue.
type Reason string

// The reasons; each is the catalogue key of its correction.
const (
	EmptyAnswer     Reason = "empty_answer"
	BadYesNo        Reason = "bad_yes_no"
	BadYesPartialNo Reason = "bad_yes_partial_no"
	BadChoice       Reason = "bad_choice"
	BadNumber       Reason = "bad_number"
	Negative        Reason = "negative"
	BadPercent      Reason = "bad_percent"
	PercentRange    Reason = "percent_range"
	BadDate         Reason = "bad_date"
	ShortText       Reason = "short_text"
	LongText        Reason = "long_text"
	NeedFile        Reason = "need_file"
)

// ErrInvalid is wrapped by the errors of ParseNumber and ParseDate. It is the
// conversations error vocabulary's ErrInvalid (parse is a leaf, so it is declared here).
var ErrInvalid = errors.New("invalid input")

// Normalize lowercases, trims and drops trailing punctuation and surrounding quotes,
// so "Ya." and " iya! " read the same.
func Normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Trim(s, " \t\r\n.!?,;:\"'`*_~")
	return strings.Join(strings.Fields(s), " ")
}

var yesWords = map[string]bool{
	"ya": true, "iya": true, "y": true, "yes": true, "benar": true, "sudah": true, "ada": true,
	"iyaa": true, "yaa": true, "ok": true, "oke": true, "betul": true, "sdh": true,
}

var noWords = map[string]bool{
	"tidak": true, "tdk": true, "no": true, "belum": true, "t": true, "n": true, "gak": true,
	"nggak": true, "enggak": true, "tak": true, "blm": true, "tidak ada": true, "belum ada": true,
}

var partialWords = map[string]bool{
	"sebagian": true, "partial": true, "sbg": true, "sebagian besar": true, "sebagian kecil": true,
	"partly": true, "sbgn": true,
}

// YesNoOptions are the option labels of yes/no and yes/partly/no questions, in button order.
func YesNoOptions(t scoring.AnswerType) []string {
	if t == scoring.YesPartialNo {
		return []string{scoring.ValueYes, scoring.ValuePartial, scoring.ValueNo}
	}
	return []string{scoring.ValueYes, scoring.ValueNo}
}

// ParseAnswer reads what a person typed as an answer to q. It accepts the common ways
// Indonesians write yes/no, numbers, percentages and dates, and option numbers
// ("balas 1, 2 atau 3"). A *ParseError says which correction to show.
func ParseAnswer(q scoring.Question, raw string) (scoring.Value, error) {
	s := Normalize(raw)
	if s == "" {
		return scoring.Value{}, &ParseError{Key: EmptyAnswer}
	}
	switch q.Type {
	case scoring.YesNo, scoring.YesPartialNo:
		return parseYesNo(q.Type, s)
	case scoring.Choice:
		return parseChoice(q, s)
	case scoring.Number:
		n, err := parseCount(s)
		if err != nil {
			return scoring.Value{}, &ParseError{Key: BadNumber}
		}
		if n < 0 {
			return scoring.Value{}, &ParseError{Key: Negative}
		}
		return scoring.Value{Number: n}, nil
	case scoring.Percent:
		n, err := ParseNumber(strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "persen"), "%")))
		if err != nil {
			return scoring.Value{}, &ParseError{Key: BadPercent}
		}
		if n < 0 || n > 100 {
			return scoring.Value{}, &ParseError{Key: PercentRange}
		}
		return scoring.Value{Number: n}, nil
	case scoring.Date:
		d, err := ParseDate(s)
		if err != nil {
			return scoring.Value{}, &ParseError{Key: BadDate}
		}
		return scoring.Value{Text: d.Format("2006-01-02")}, nil
	case scoring.Text:
		t := strings.TrimSpace(raw)
		if len([]rune(t)) < 2 {
			return scoring.Value{}, &ParseError{Key: ShortText}
		}
		if len([]rune(t)) > MaxTextAnswer {
			return scoring.Value{}, &ParseError{Key: LongText}
		}
		return scoring.Value{Text: t}, nil
	case scoring.File:
		return scoring.Value{}, &ParseError{Key: NeedFile}
	}
	return scoring.Value{}, &ParseError{Key: EmptyAnswer}
}

func parseYesNo(t scoring.AnswerType, s string) (scoring.Value, error) {
	opts := YesNoOptions(t)
	if i, err := strconv.Atoi(s); err == nil {
		if i >= 1 && i <= len(opts) {
			return scoring.Value{Text: opts[i-1]}, nil
		}
		return scoring.Value{}, &ParseError{Key: yesNoKey(t)}
	}
	switch {
	case yesWords[s]:
		return scoring.Value{Text: scoring.ValueYes}, nil
	case noWords[s]:
		return scoring.Value{Text: scoring.ValueNo}, nil
	case partialWords[s] && t == scoring.YesPartialNo:
		return scoring.Value{Text: scoring.ValuePartial}, nil
	}
	// "ya, sudah ada" / "tidak, belum": the first word decides.
	if first, _, ok := strings.Cut(s, " "); ok {
		first = strings.Trim(first, ".,!")
		switch {
		case yesWords[first]:
			return scoring.Value{Text: scoring.ValueYes}, nil
		case noWords[first]:
			return scoring.Value{Text: scoring.ValueNo}, nil
		case partialWords[first] && t == scoring.YesPartialNo:
			return scoring.Value{Text: scoring.ValuePartial}, nil
		}
	}
	return scoring.Value{}, &ParseError{Key: yesNoKey(t)}
}

func yesNoKey(t scoring.AnswerType) Reason {
	if t == scoring.YesPartialNo {
		return BadYesPartialNo
	}
	return BadYesNo
}

// squash drops spaces and case so "Perbup, SK atau SE" matches "perbup,sk atau se".
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if !unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), ".!?")
}

func parseChoice(q scoring.Question, s string) (scoring.Value, error) {
	if i, err := strconv.Atoi(s); err == nil {
		if i >= 1 && i <= len(q.Options) {
			return scoring.Value{Text: q.Options[i-1].Label}, nil
		}
		return scoring.Value{}, &ParseError{Key: BadChoice}
	}
	want := squash(s)
	for _, o := range q.Options {
		if squash(o.Label) == want {
			return scoring.Value{Text: o.Label}, nil
		}
	}
	// A unique prefix is enough ("perda" for "Perda sudah ditetapkan").
	var hit []scoring.Option
	for _, o := range q.Options {
		if strings.HasPrefix(squash(o.Label), want) {
			hit = append(hit, o)
		}
	}
	if len(hit) == 1 && len([]rune(want)) >= 3 {
		return scoring.Value{Text: hit[0].Label}, nil
	}
	return scoring.Value{}, &ParseError{Key: BadChoice}
}

// MaxTextAnswer is the longest text answer accepted, in characters.
const MaxTextAnswer = 2000

// parseCount reads a number, also with a unit word after it ("12 kali", "35 sekolah");
// anything with a second number in it ("12 dari 20") stays ambiguous and is refused.
func parseCount(s string) (float64, error) {
	if n, err := ParseNumber(s); err == nil {
		return n, nil
	}
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 4 {
		return 0, fmt.Errorf("not a number %q: %w", s, ErrInvalid)
	}
	for _, w := range f[1:] {
		for _, r := range w {
			if !unicode.IsLetter(r) {
				return 0, fmt.Errorf("not a number %q: %w", s, ErrInvalid)
			}
		}
	}
	return ParseNumber(f[0])
}

// ParseNumber reads a number written the Indonesian way ("1.250", "87,5", "1.250,75"),
// and tolerates the English way when it is unambiguous ("87.5", "1,250.75").
func ParseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, " ", "")
	s = strings.TrimPrefix(strings.ToLower(s), "rp")
	if s == "" {
		return 0, fmt.Errorf("empty number: %w", ErrInvalid)
	}
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9') && r != '.' && r != ',' {
			return 0, fmt.Errorf("not a number %q: %w", s, ErrInvalid)
		}
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	var canon string
	switch {
	case dots > 0 && commas > 0:
		// The later separator is the decimal one.
		if strings.LastIndex(s, ",") > strings.LastIndex(s, ".") {
			if !groupedOK(s[:strings.LastIndex(s, ",")], ".") {
				return 0, fmt.Errorf("bad grouping %q: %w", s, ErrInvalid)
			}
			canon = strings.ReplaceAll(s, ".", "")
			canon = strings.Replace(canon, ",", ".", 1)
		} else {
			if commas > 0 && !groupedOK(s[:strings.LastIndex(s, ".")], ",") {
				return 0, fmt.Errorf("bad grouping %q: %w", s, ErrInvalid)
			}
			canon = strings.ReplaceAll(s, ",", "")
		}
		if strings.Count(canon, ".") > 1 {
			return 0, fmt.Errorf("bad number %q: %w", s, ErrInvalid)
		}
	case commas == 1 && dots == 0:
		canon = strings.Replace(s, ",", ".", 1) // 87,5
	case commas > 1:
		return 0, fmt.Errorf("bad number %q: %w", s, ErrInvalid)
	case dots == 1:
		// "1.250" is a thousand separator in Indonesian; "87.5" is a decimal point.
		i := strings.Index(s, ".")
		if len(s)-i-1 == 3 && i > 0 {
			canon = strings.Replace(s, ".", "", 1)
		} else {
			canon = s
		}
	case dots > 1:
		if !groupedOK(s, ".") {
			return 0, fmt.Errorf("bad grouping %q: %w", s, ErrInvalid)
		}
		canon = strings.ReplaceAll(s, ".", "")
	default:
		canon = s
	}
	if canon == "" || canon == "." || strings.HasPrefix(canon, ".") || strings.HasSuffix(canon, ".") {
		return 0, fmt.Errorf("bad number %q: %w", s, ErrInvalid)
	}
	n, err := strconv.ParseFloat(canon, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("bad number %q: %w", s, ErrInvalid)
	}
	if neg {
		n = -n
	}
	return n, nil
}

// groupedOK checks thousands groups: "1.250.000" yes, "12.50" no.
func groupedOK(s, sep string) bool {
	parts := strings.Split(s, sep)
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// monthNames maps Indonesian and English month names and abbreviations to months.
var monthNames = map[string]time.Month{
	"januari": 1, "jan": 1, "january": 1,
	"februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
	"maret": 3, "mar": 3, "march": 3,
	"april": 4, "apr": 4,
	"mei": 5, "may": 5,
	"juni": 6, "jun": 6, "june": 6,
	"juli": 7, "jul": 7, "july": 7,
	"agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
	"september": 9, "sep": 9, "sept": 9,
	"oktober": 10, "okt": 10, "oct": 10, "october": 10,
	"november": 11, "nov": 11, "nopember": 11, "nop": 11,
	"desember": 12, "des": 12, "dec": 12, "december": 12,
}

// ParseDate reads "14/03/2025", "14-03-2025", "14.03.2025", "2025-03-14", "14 Maret 2025"
// and "14 Mar 2025". Day comes first, as in Indonesia.
func ParseDate(s string) (time.Time, error) {
	s = Normalize(s)
	bad := fmt.Errorf("not a date %q: %w", s, ErrInvalid)
	var d, m, y int
	if f := strings.Fields(s); len(f) == 3 {
		mon, ok := monthNames[strings.TrimSuffix(f[1], ".")]
		if !ok {
			return time.Time{}, bad
		}
		var err1, err2 error
		d, err1 = strconv.Atoi(f[0])
		y, err2 = strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			return time.Time{}, bad
		}
		m = int(mon)
	} else {
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
		if len(parts) != 3 {
			return time.Time{}, bad
		}
		var nums [3]int
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil {
				return time.Time{}, bad
			}
			nums[i] = n
		}
		if len(parts[0]) == 4 { // ISO 2025-03-14
			y, m, d = nums[0], nums[1], nums[2]
		} else {
			d, m, y = nums[0], nums[1], nums[2]
		}
	}
	if y < 100 {
		y += 2000
	}
	if y < 1945 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, bad
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 Februari
		return time.Time{}, bad
	}
	return t, nil
}
