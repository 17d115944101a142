package scoring

import "testing"

func TestFraction(t *testing.T) {
	t.Parallel()
	choice := Question{Type: Choice, Options: []Option{{"Perda", 1}, {"Perbup, SK atau SE", 0.6}, {"Perda dalam proses", 0.3}}}
	bands := Question{Type: Number, Bands: []Band{{Min: 0, Max: 0, Fraction: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}}
	percent := Question{Type: Percent, Target: 80}
	ans := func(text string) AnswerState { return AnswerState{Answered: true, Value: Value{Text: text}} }
	num := func(n float64) AnswerState { return AnswerState{Answered: true, Value: Value{Number: n}} }
	tests := []struct {
		name string
		q    Question
		a    AnswerState
		want float64
	}{
		{"yes_no ya", Question{Type: YesNo}, ans("ya"), 1},
		{"yes_no tidak", Question{Type: YesNo}, ans("tidak"), 0},
		{"yes_no lenient case", Question{Type: YesNo}, ans(" Ya "), 1},
		{"yes_no garbage", Question{Type: YesNo}, ans("mungkin"), 0},
		{"yes_no skipped", Question{Type: YesNo}, AnswerState{Skipped: true}, 0},
		{"yes_no unanswered", Question{Type: YesNo}, AnswerState{Value: Value{Text: "ya"}}, 0},
		{"yes_partial_no ya", Question{Type: YesPartialNo}, ans("ya"), 1},
		{"yes_partial_no sebagian", Question{Type: YesPartialNo}, ans("sebagian"), 0.5},
		{"yes_partial_no tidak", Question{Type: YesPartialNo}, ans("tidak"), 0},
		{"choice first", choice, ans("Perda"), 1},
		{"choice middle", choice, ans("Perbup, SK atau SE"), 0.6},
		{"choice last", choice, ans("Perda dalam proses"), 0.3},
		{"choice unknown", choice, ans("Instruksi"), 0},
		{"number zero band", bands, num(0), 0},
		{"number low edge", bands, num(1), 0.5},
		{"number high edge", bands, num(4), 0.5},
		{"number between bands falls in the lower", bands, num(4.5), 0.5},
		{"decimal between whole bands (issue 14, item 18)", Question{Type: Number, Bands: []Band{{Min: 0, Max: 0}, {Min: 1, Max: 1, Fraction: 0.5}, {Min: 2, Open: true, Fraction: 1}}}, num(1.5), 0.5},
		{"number above a closed last band", Question{Type: Number, Bands: []Band{{Min: 0, Max: 4, Fraction: 1}}}, num(9), 0},
		{"number open band edge", bands, num(5), 1},
		{"number open band far", bands, num(1e6), 1},
		{"number below every band", bands, num(-1), 0},
		{"percent half target", percent, num(40), 0.5},
		{"percent at target", percent, num(80), 1},
		{"percent above target capped", percent, num(120), 1},
		{"percent negative", percent, num(-5), 0},
		{"percent no target means 100", Question{Type: Percent}, num(25), 0.25},
		{"text", Question{Type: Text}, ans("Forum Anak aktif"), 1},
		{"text blank", Question{Type: Text}, ans("   "), 0},
		{"date", Question{Type: Date}, ans("2026-03-14"), 1},
		{"date empty", Question{Type: Date}, ans(""), 0},
		{"file one", Question{Type: File}, AnswerState{Answered: true, Files: 1}, 1},
		{"file none", Question{Type: File}, AnswerState{Answered: true}, 0},
		{"file skipped", Question{Type: File}, AnswerState{Skipped: true, Files: 2}, 0},
		{"unknown type", Question{Type: "essay"}, ans("ya"), 0},
		{"choice fraction above 1 clamped", Question{Type: Choice, Options: []Option{{"x", 2}}}, ans("x"), 1},
	}
	for _, tt := range tests {
		if got := Fraction(&tt.q, tt.a); got != tt.want {
			t.Errorf("%s: Fraction = %v, want %v", tt.name, got, tt.want)
		}
	}
}
