package parse_test

import (
	"errors"
	"testing"

	"github.com/klabot/klabot/conversations/parse"
	"github.com/klabot/klabot/scoring"
)

func TestParseNumber(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12", 12, true}, {"87,5", 87.5, true}, {"1.250", 1250, true}, {"1.250,75", 1250.75, true},
		{"1.250.000", 1250000, true}, {"87.5", 87.5, true}, {"1,250.75", 1250.75, true},
		{" 7 ", 7, true}, {"Rp 1.500.000", 1500000, true}, {"0", 0, true}, {"-3", -3, true},
		{"0,5", 0.5, true}, {"12.50", 12.5, true},
		{"", 0, false}, {"abc", 0, false}, {"1,2,3", 0, false}, {"1.2.3", 0, false}, {"12 kali", 0, false},
		{",5", 0, false}, {"5,", 0, false}, {"1.25,5.5", 0, false}, {"12.3456.789", 0, false}, {".", 0, false},
	} {
		got, err := parse.ParseNumber(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, parse.ErrInvalid) {
			t.Errorf("ParseNumber(%q) error %v is not ErrInvalid", c.in, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"14/03/2025", "2025-03-14"}, {"14-03-2025", "2025-03-14"}, {"14.03.2025", "2025-03-14"},
		{"14 Maret 2025", "2025-03-14"}, {"14 maret 2025", "2025-03-14"}, {"14 Mar 2025", "2025-03-14"},
		{"1 Agustus 2024", "2024-08-01"}, {"1 Agt 2024", "2024-08-01"}, {"2025-03-14", "2025-03-14"},
		{"14/3/25", "2025-03-14"}, {"29/02/2024", "2024-02-29"}, {"3 Nopember 2025", "2025-11-03"},
		{"31/02/2025", ""}, {"14/13/2025", ""}, {"kemarin", ""}, {"14 Maretan 2025", ""}, {"", ""},
		{"00/01/2025", ""}, {"14/03/1900", ""},
	} {
		got, err := parse.ParseDate(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseDate(%q) = %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got.Format("2006-01-02") != c.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
}

func TestParseAnswer(t *testing.T) {
	t.Parallel()
	yn := scoring.Question{Type: scoring.YesNo}
	ypn := scoring.Question{Type: scoring.YesPartialNo}
	choice := scoring.Question{Type: scoring.Choice, Options: []scoring.Option{
		{Label: "Perda"}, {Label: "Perbup, SK atau SE"}, {Label: "Dalam proses"}}}
	num := scoring.Question{Type: scoring.Number}
	pct := scoring.Question{Type: scoring.Percent, Target: 100}
	date := scoring.Question{Type: scoring.Date}
	text := scoring.Question{Type: scoring.Text}
	file := scoring.Question{Type: scoring.File}
	for _, c := range []struct {
		q    scoring.Question
		in   string
		want scoring.Value
		ok   bool
	}{
		{yn, "ya", scoring.Value{Text: "ya"}, true}, {yn, "Ya.", scoring.Value{Text: "ya"}, true},
		{yn, "iya", scoring.Value{Text: "ya"}, true}, {yn, "y", scoring.Value{Text: "ya"}, true},
		{yn, "YES", scoring.Value{Text: "ya"}, true}, {yn, "benar", scoring.Value{Text: "ya"}, true},
		{yn, "sudah", scoring.Value{Text: "ya"}, true}, {yn, "ya, sudah ada", scoring.Value{Text: "ya"}, true},
		{yn, "tidak", scoring.Value{Text: "tidak"}, true}, {yn, "tdk", scoring.Value{Text: "tidak"}, true},
		{yn, "no", scoring.Value{Text: "tidak"}, true}, {yn, "belum", scoring.Value{Text: "tidak"}, true},
		{yn, "t", scoring.Value{Text: "tidak"}, true}, {yn, "1", scoring.Value{Text: "ya"}, true},
		{yn, "2", scoring.Value{Text: "tidak"}, true}, {yn, "3", scoring.Value{}, false},
		{yn, "sebagian", scoring.Value{}, false}, {yn, "mungkin", scoring.Value{}, false}, {yn, "", scoring.Value{}, false},
		{ypn, "sebagian", scoring.Value{Text: "sebagian"}, true}, {ypn, "partial", scoring.Value{Text: "sebagian"}, true},
		{ypn, "sbg", scoring.Value{Text: "sebagian"}, true}, {ypn, "2", scoring.Value{Text: "sebagian"}, true},
		{ypn, "3", scoring.Value{Text: "tidak"}, true}, {ypn, "Iya!", scoring.Value{Text: "ya"}, true},
		{choice, "1", scoring.Value{Text: "Perda"}, true}, {choice, "perda", scoring.Value{Text: "Perda"}, true},
		{choice, " PERBUP, sk atau se ", scoring.Value{Text: "Perbup, SK atau SE"}, true},
		{choice, "dalam", scoring.Value{Text: "Dalam proses"}, true}, {choice, "4", scoring.Value{}, false},
		{choice, "pe", scoring.Value{}, false}, {choice, "Perbub", scoring.Value{}, false},
		{num, "1.250", scoring.Value{Number: 1250}, true}, {num, "87,5", scoring.Value{Number: 87.5}, true},
		{num, "-1", scoring.Value{}, false}, {num, "banyak", scoring.Value{}, false},
		{num, "12 kali", scoring.Value{Number: 12}, true}, {num, "35 sekolah ramah anak", scoring.Value{Number: 35}, true},
		{num, "12 dari 20", scoring.Value{}, false}, {num, "kali 12", scoring.Value{}, false},
		{pct, "87,5%", scoring.Value{Number: 87.5}, true}, {pct, "87,5 %", scoring.Value{Number: 87.5}, true},
		{pct, "100", scoring.Value{Number: 100}, true}, {pct, "60 persen", scoring.Value{Number: 60}, true},
		{pct, "101%", scoring.Value{}, false}, {pct, "banyak", scoring.Value{}, false},
		{date, "14 Maret 2025", scoring.Value{Text: "2025-03-14"}, true}, {date, "besok", scoring.Value{}, false},
		{text, "Program PMT di posyandu", scoring.Value{Text: "Program PMT di posyandu"}, true},
		{text, "x", scoring.Value{}, false}, {file, "sudah", scoring.Value{}, false},
	} {
		got, err := parse.ParseAnswer(c.q, c.in)
		var pe *parse.ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("ParseAnswer(%s, %q): error %v is not a ParseError", c.q.Type, c.in, err)
		}
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseAnswer(%s, %q) = %+v, %v; want %+v ok=%v", c.q.Type, c.in, got, err, c.want, c.ok)
		}
	}
}

// FuzzParseAnswer checks that no input crashes the parsers and that accepted numbers
// and percentages are sane.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{"ya", "87,5%", "1.250,75", "14 Maret 2025", "14/03/2025", "", "1.2.3", "-0", "9999999999999999999999"} {
		f.Add(s)
	}
	qs := []scoring.Question{{Type: scoring.YesNo}, {Type: scoring.YesPartialNo}, {Type: scoring.Number},
		{Type: scoring.Percent}, {Type: scoring.Date}, {Type: scoring.Text},
		{Type: scoring.Choice, Options: []scoring.Option{{Label: "A"}, {Label: "B b"}}}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, q := range qs {
			v, err := parse.ParseAnswer(q, s)
			if err != nil {
				continue
			}
			switch q.Type {
			case scoring.Percent:
				if v.Number < 0 || v.Number > 100 {
					t.Fatalf("percent %q -> %v", s, v.Number)
				}
			case scoring.Number:
				if v.Number < 0 {
					t.Fatalf("number %q -> %v", s, v.Number)
				}
			case scoring.YesNo, scoring.YesPartialNo:
				if v.Text != scoring.ValueYes && v.Text != scoring.ValueNo && v.Text != scoring.ValuePartial {
					t.Fatalf("yes/no %q -> %q", s, v.Text)
				}
			}
		}
	})
}

func BenchmarkAnswerParse(b *testing.B) {
	qs := []struct {
		q  scoring.Question
		in string
	}{
		{scoring.Question{Type: scoring.YesNo}, "Ya."},
		{scoring.Question{Type: scoring.Number}, "1.250,75"},
		{scoring.Question{Type: scoring.Percent}, "87,5%"},
		{scoring.Question{Type: scoring.Date}, "14 Maret 2025"},
		{scoring.Question{Type: scoring.Choice, Options: []scoring.Option{{Label: "Perda"}, {Label: "Perbup, SK atau SE"}}}, "perbup, sk atau se"},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := qs[i%len(qs)]
		if _, err := parse.ParseAnswer(c.q, c.in); err != nil {
			b.Fatal(err)
		}
	}
}
