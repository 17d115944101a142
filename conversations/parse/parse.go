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
	// Unsure is "tidak tahu" / "belum tahu" on a pick: not an answer (and not "Tidak").
	Unsure Reason = "unsure"
	// FractionalCount is "1,5" on a count ("Berapa kali ...?").
	FractionalCount Reason = "fractional_count"
	// NoSuchDate is a date the calendar does not have ("31/02/2024").
	NoSuchDate Reason = "no_such_date"
	// FutureDate is a date after today on a question about something that happened.
	FutureDate Reason = "future_date"
	// PartOfWhole is "70 dari 60": the part is larger than the whole.
	PartOfWhole Reason = "part_of_whole"
)

// ErrNoSuchDate is wrapped by ParseDate's error for a date the calendar does not have
// (31 February); it wraps ErrInvalid too.
var ErrNoSuchDate = fmt.Errorf("no such date: %w", ErrInvalid)

// Options are what the reading of an answer depends on besides the question.
type Options struct {
	// Lang is the person's language: "en" reads 1,250 as 1250 and 1.5 as one and a half.
	// Anything else is Indonesian.
	Lang string
	// Today is the person's date; dates after it are refused on questions about the
	// past. Zero turns the check off.
	Today time.Time
}

// Answer is a parsed answer: the value, and for a percentage computed from a part and
// a whole ("45 dari 60 desa") the two numbers, so the reply can confirm the arithmetic.
type Answer struct {
	Value       scoring.Value
	Part, Whole float64 // Whole > 0 when the percentage was computed
}

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
	a, err := ParseAnswerWith(q, raw, Options{})
	return a.Value, err
}

// ParseAnswerWith is ParseAnswer for a person's language and date (see Options).
func ParseAnswerWith(q scoring.Question, raw string, o Options) (Answer, error) {
	s := Normalize(raw)
	if s == "" {
		return Answer{}, &ParseError{Key: EmptyAnswer}
	}
	val := func(v scoring.Value, err error) (Answer, error) { return Answer{Value: v}, err }
	switch q.Type {
	case scoring.YesNo, scoring.YesPartialNo, scoring.Choice:
		if unsure(s) {
			return Answer{}, &ParseError{Key: Unsure}
		}
		if q.Type == scoring.Choice {
			return val(parseChoice(q, s))
		}
		return val(parseYesNo(q.Type, s))
	case scoring.Number:
		if AsksPercent(q.Text) {
			if t, ok := strings.CutSuffix(s, "%"); ok {
				s = strings.TrimSpace(t)
			} else if t, ok := strings.CutSuffix(s, "persen"); ok {
				s = strings.TrimSpace(t)
			}
		}
		n, err := parseCount(s, o.Lang)
		if err != nil {
			return Answer{}, &ParseError{Key: BadNumber}
		}
		if n < 0 {
			return Answer{}, &ParseError{Key: Negative}
		}
		if IsCount(q) && n != math.Trunc(n) {
			return Answer{}, &ParseError{Key: FractionalCount}
		}
		return Answer{Value: scoring.Value{Number: n}}, nil
	case scoring.Percent:
		if part, whole, ok := partOfWhole(s, o.Lang); ok {
			if whole <= 0 || part < 0 || part > whole {
				return Answer{}, &ParseError{Key: PartOfWhole}
			}
			pct := math.Round(part/whole*100*100) / 100
			return Answer{Value: scoring.Value{Number: pct}, Part: part, Whole: whole}, nil
		}
		n, err := ParseNumberIn(strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "persen"), "%")), o.Lang)
		if err != nil {
			return Answer{}, &ParseError{Key: BadPercent}
		}
		if n < 0 || n > 100 {
			return Answer{}, &ParseError{Key: PercentRange}
		}
		return Answer{Value: scoring.Value{Number: n}}, nil
	case scoring.Date:
		d, err := ParseDate(s)
		if errors.Is(err, ErrNoSuchDate) {
			return Answer{}, &ParseError{Key: NoSuchDate}
		}
		if err != nil {
			return Answer{}, &ParseError{Key: BadDate}
		}
		if !o.Today.IsZero() && AsksPast(q.Text) {
			today := time.Date(o.Today.Year(), o.Today.Month(), o.Today.Day(), 0, 0, 0, 0, time.UTC)
			if d.After(today) {
				return Answer{}, &ParseError{Key: FutureDate}
			}
		}
		return Answer{Value: scoring.Value{Text: d.Format("2006-01-02")}}, nil
	case scoring.Text:
		t := strings.TrimSpace(raw)
		if len([]rune(t)) < 2 {
			return Answer{}, &ParseError{Key: ShortText}
		}
		if len([]rune(t)) > MaxTextAnswer {
			return Answer{}, &ParseError{Key: LongText}
		}
		return Answer{Value: scoring.Value{Text: t}}, nil
	case scoring.File:
		return Answer{}, &ParseError{Key: NeedFile}
	}
	return Answer{}, &ParseError{Key: EmptyAnswer}
}

// unsureWords, after a negation, say "I do not know" rather than "no".
var unsureWords = map[string]bool{"tahu": true, "tau": true, "yakin": true, "pasti": true, "paham": true, "ngerti": true, "mengerti": true, "jelas": true}

// unsure reports whether s is "tidak tahu", "belum tahu", "gak tau", "kurang yakin",
// "entah", "don't know": not an answer to a pick, and surely not "Tidak".
func unsure(s string) bool {
	switch s {
	case "entah", "entahlah", "ragu", "ragu-ragu", "bingung", "don't know", "dont know", "not sure", "unsure", "idk", "?":
		return true
	}
	f := strings.Fields(s)
	for i := 0; i+1 < len(f); i++ {
		neg := noWords[f[i]] || f[i] == "kurang" || f[i] == "ga" || f[i] == "gk" || f[i] == "ndak" || f[i] == "nda"
		if neg && unsureWords[strings.Trim(f[i+1], ".,!")] {
			return true
		}
	}
	return false
}

// AsksPercent reports whether a question's text asks for a percentage.
func AsksPercent(text string) bool {
	t := strings.ToLower(text)
	return strings.Contains(t, "persen") || strings.Contains(t, "%") || strings.Contains(t, "proporsi") || strings.Contains(t, "percent")
}

// countWords in a number question's text mean it counts things: the answer is whole.
var countWords = []string{"berapa kali", "jumlah", "berapa banyak", "banyaknya", "berapa orang", "berapa unit",
	"berapa buah", "berapa sekolah", "berapa desa", "berapa kegiatan", "how many"}

// IsCount reports whether q is a number question counting things ("Berapa kali rapat
// koordinasi tahun ini?"), whose answer must be a whole number.
func IsCount(q scoring.Question) bool {
	if q.Type != scoring.Number || AsksPercent(q.Text) {
		return false
	}
	t := strings.ToLower(q.Text)
	for _, w := range countWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// futureWords in a date question's text mean it asks about a plan, not the past.
var futureWords = []string{"rencana", "direncanakan", "akan", "target", "jadwal", "batas", "tenggat", "berlaku sampai", "berakhir", "kedaluwarsa", "planned", "will"}

// AsksPast reports whether a date question asks when something happened (an SK's
// date), so that a date after today is a typing mistake.
func AsksPast(text string) bool {
	t := " " + strings.ToLower(text) + " "
	for _, w := range futureWords {
		if strings.Contains(t, " "+w) {
			return false
		}
	}
	return true
}

// partOfWhole reads "45 dari 60", "45 dari 60 desa", "45/60", "45 of 60".
func partOfWhole(s, lang string) (part, whole float64, ok bool) {
	f := strings.Fields(strings.ReplaceAll(s, "/", " / "))
	if len(f) < 3 {
		return 0, 0, false
	}
	switch f[1] {
	case "dari", "/", "of", "per":
	default:
		return 0, 0, false
	}
	for _, w := range f[3:] { // a unit after the whole ("desa", "sekolah")
		for _, r := range w {
			if !unicode.IsLetter(r) {
				return 0, 0, false
			}
		}
	}
	p, err1 := ParseNumberIn(f[0], lang)
	w, err2 := ParseNumberIn(f[2], lang)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return p, w, true
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
func parseCount(s, lang string) (float64, error) {
	if n, err := ParseNumberIn(s, lang); err == nil {
		return n, nil
	}
	if t, ok := strings.CutSuffix(s, "x"); ok { // "4x"
		if n, err := ParseNumberIn(strings.TrimSpace(t), lang); err == nil {
			return n, nil
		}
	}
	f := strings.Fields(s)
	// Number words first ("empat kali", "dua puluh lima sekolah", "sekali").
	if n, used, ok := numberWords(f); ok && onlyWords(f[used:]) && len(f)-used <= 3 {
		return n, nil
	}
	if len(f) < 2 || len(f) > 4 || !onlyWords(f[1:]) {
		return 0, fmt.Errorf("not a number %q: %w", s, ErrInvalid)
	}
	first := f[0]
	if t, ok := strings.CutSuffix(first, "x"); ok && t != "" {
		first = t
	}
	return ParseNumberIn(first, lang)
}

// onlyWords reports whether every word is letters only (a unit: "kali", "sekolah").
func onlyWords(f []string) bool {
	for _, w := range f {
		for _, r := range w {
			if !unicode.IsLetter(r) {
				return false
			}
		}
	}
	return true
}

var digitWords = map[string]float64{"nol": 0, "kosong": 0, "nihil": 0, "satu": 1, "se": 1, "dua": 2, "tiga": 3, "empat": 4,
	"lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9}

// numberWords reads a number written in Indonesian words at the start of f, up to 999
// ("empat", "sepuluh", "dua belas", "dua puluh lima", "seratus tiga", "sekali"): the
// number, how many words it took, and whether there was one.
func numberWords(f []string) (float64, int, bool) {
	if len(f) == 0 {
		return 0, 0, false
	}
	switch f[0] {
	case "sekali":
		return 1, 1, true
	case "sepuluh":
		return 10, 1, true
	case "sebelas":
		return 11, 1, true
	case "seratus":
		n, used, ok := numberWords(f[1:])
		if ok && n < 100 {
			return 100 + n, used + 1, true
		}
		return 100, 1, true
	}
	d, ok := digitWords[f[0]]
	if !ok || f[0] == "se" {
		return 0, 0, false
	}
	if len(f) > 1 {
		switch f[1] {
		case "belas":
			return 10 + d, 2, true
		case "puluh":
			if len(f) > 2 {
				if u, ok := digitWords[f[2]]; ok && u > 0 && f[2] != "se" {
					return d*10 + u, 3, true
				}
			}
			return d * 10, 2, true
		case "ratus":
			n, used, ok := numberWords(f[2:])
			if ok && n < 100 {
				return d*100 + n, used + 2, true
			}
			return d * 100, 2, true
		}
	}
	return d, 1, true
}

// ParseNumber reads a number written the Indonesian way ("1.250", "87,5", "1.250,75"),
// and tolerates the English way when it is unambiguous ("87.5", "1,250.75").
func ParseNumber(s string) (float64, error) { return ParseNumberIn(s, "id") }

// ParseNumberIn reads a number for a person writing in lang: Indonesian as ParseNumber;
// English ("en") reads "1,250" as 1250 and "1.25" as one and a quarter, and still
// takes "87,5" (a comma not followed by three digits) as a decimal comma.
func ParseNumberIn(s, lang string) (float64, error) {
	s = strings.TrimSpace(s)
	if lang == "en" {
		t := strings.ReplaceAll(strings.TrimPrefix(strings.ToLower(strings.ReplaceAll(s, " ", "")), "rp"), "-", "")
		if strings.Count(t, ",") > 0 && strings.Count(t, ".") <= 1 {
			intPart := t
			if i := strings.IndexByte(t, '.'); i >= 0 {
				intPart = t[:i]
			}
			if strings.Contains(intPart, ",") && groupedOK(intPart, ",") {
				s = strings.ReplaceAll(s, ",", "") // 1,250 and 1,250.75
			}
		}
		if strings.Count(s, ".") == 1 && !strings.Contains(s, ",") {
			n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
				return n, nil
			}
		}
	}
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
		return time.Time{}, fmt.Errorf("%02d/%02d/%d: %w", d, m, y, ErrNoSuchDate)
	}
	return t, nil
}
