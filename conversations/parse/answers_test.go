package parse_test

import (
	"errors"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations/parse"
	"github.com/klabot/klabot/scoring"
)

// reason is the ParseError key of err, or "" for no error.
func reason(err error) parse.Reason {
	var pe *parse.ParseError
	if errors.As(err, &pe) {
		return pe.Key
	}
	if err != nil {
		return "other: " + parse.Reason(err.Error())
	}
	return ""
}

// TestUnsureIsNotNo: "tidak tahu" is not "Tidak" (issue 14, item 15).
func TestUnsureIsNotNo(t *testing.T) {
	t.Parallel()
	yn := scoring.Question{Type: scoring.YesNo}
	ypn := scoring.Question{Type: scoring.YesPartialNo}
	choice := scoring.Question{Type: scoring.Choice, Options: []scoring.Option{{Label: "Perda"}, {Label: "Belum ada"}}}
	for _, q := range []scoring.Question{yn, ypn, choice} {
		for _, s := range []string{"tidak tahu", "Belum tahu.", "gak tau", "tdk tahu", "kurang yakin", "entah", "belum pasti", "nggak tau pak"} {
			if got, err := parse.ParseAnswer(q, s); reason(err) != parse.Unsure {
				t.Errorf("%s %q = %+v, %v; want Unsure", q.Type, s, got, err)
			}
		}
	}
	for s, want := range map[string]string{"tidak": scoring.ValueNo, "belum ada": scoring.ValueNo, "tidak, belum": scoring.ValueNo, "ya, sudah tahu": scoring.ValueYes} {
		if got, err := parse.ParseAnswer(yn, s); err != nil || got.Text != want {
			t.Errorf("%q = %+v, %v; want %s", s, got, err, want)
		}
	}
}

// TestNumbersAsTyped: percents on number questions that ask for one, "4x", number
// words, part of a whole (issue 14, item 16), English thousands (item 17), fractions
// on counts (item 18).
func TestNumbersAsTyped(t *testing.T) {
	t.Parallel()
	count := scoring.Question{Type: scoring.Number, Text: "Berapa kali rapat koordinasi tahun ini?"}
	share := scoring.Question{Type: scoring.Number, Text: "Berapa persen anggaran untuk anak?"}
	avg := scoring.Question{Type: scoring.Number, Text: "Rata-rata kunjungan per bulan?"}
	pct := scoring.Question{Type: scoring.Percent, Text: "Persentase desa layak anak?", Target: 100}
	for _, c := range []struct {
		q    scoring.Question
		in   string
		lang string
		want float64
		err  parse.Reason
	}{
		{share, "17,5%", "", 17.5, ""},
		{share, "17,5 persen", "", 17.5, ""},
		{count, "17,5%", "", 0, parse.BadNumber},
		{count, "4x", "", 4, ""},
		{count, "4 x", "", 4, ""},
		{count, "empat kali", "", 4, ""},
		{count, "sekali", "", 1, ""},
		{count, "dua belas kali", "", 12, ""},
		{count, "dua puluh lima", "", 25, ""},
		{count, "sepuluh", "", 10, ""},
		{count, "seratus tiga", "", 103, ""},
		{count, "nol", "", 0, ""},
		{count, "1,5", "", 0, parse.FractionalCount},
		{count, "2,5 kali", "", 0, parse.FractionalCount},
		{avg, "1,5", "", 1.5, ""},
		{count, "12 dari 20", "", 0, parse.BadNumber},
		{pct, "45 dari 60 desa", "", 75, ""},
		{pct, "45 dari 60", "", 75, ""},
		{pct, "1/3", "", 33.33, ""},
		{pct, "70 dari 60 desa", "", 0, parse.PartOfWhole},
		{pct, "5 dari 0", "", 0, parse.PartOfWhole},
		{count, "1,250", "en", 1250, ""},
		{count, "1,250", "", 0, parse.FractionalCount},
		{avg, "1,250", "", 1.25, ""},
		{avg, "1.5", "en", 1.5, ""},
		{avg, "1,250.75", "en", 1250.75, ""},
		{avg, "87,5", "en", 87.5, ""},
		{pct, "87.5%", "en", 87.5, ""},
	} {
		a, err := parse.ParseAnswerWith(c.q, c.in, parse.Options{Lang: c.lang})
		if reason(err) != c.err || (c.err == "" && a.Value.Number != c.want) {
			t.Errorf("%q (%s, %q) = %v, %v; want %v %q", c.in, c.q.Text, c.lang, a.Value.Number, err, c.want, c.err)
		}
	}
	a, _ := parse.ParseAnswerWith(pct, "45 dari 60 desa", parse.Options{})
	if a.Part != 45 || a.Whole != 60 {
		t.Errorf("part of whole not kept for the confirmation: %+v", a)
	}
}

// TestDates: a date the calendar lacks says so; a future date on a question about the
// past is refused (issue 14, item 19).
func TestDates(t *testing.T) {
	t.Parallel()
	past := scoring.Question{Type: scoring.Date, Text: "Tanggal SK tim percepatan stunting?"}
	plan := scoring.Question{Type: scoring.Date, Text: "Tanggal rencana peluncuran PUSPAGA?"}
	today := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		q   scoring.Question
		in  string
		err parse.Reason
	}{
		{past, "31/02/2024", parse.NoSuchDate},
		{past, "31 Februari 2024", parse.NoSuchDate},
		{past, "31/04/2025", parse.NoSuchDate},
		{past, "14/13/2025", parse.BadDate},
		{past, "3/3/2026", parse.FutureDate},
		{past, "2/3/2026", ""},
		{past, "14 Maret 2025", ""},
		{plan, "1 Juli 2026", ""},
	} {
		if _, err := parse.ParseAnswerWith(c.q, c.in, parse.Options{Today: today}); reason(err) != c.err {
			t.Errorf("%q on %q: %v; want %q", c.in, c.q.Text, err, c.err)
		}
	}
	if _, err := parse.ParseDate("31/02/2027"); !errors.Is(err, parse.ErrNoSuchDate) || !errors.Is(err, parse.ErrInvalid) {
		t.Errorf("ParseDate(31/02/2027) = %v; want ErrNoSuchDate (an ErrInvalid)", err)
	}
}
