package scoring

import (
	"math"
	"strings"
)

// Fraction turns an answer to q into a fraction 0..1 by the rule of q's answer type:
// yes_no ya=1 tidak=0; yes_partial_no ya=1 sebagian=0.5 tidak=0; choice the option's
// fraction; number the fraction of the first band with Min <= n <= Max (no upper bound
// when Open); a number between two bands (1,5 with bands 0;1;2+) falls in the lower
// one, since bands written with whole numbers mean "from Min up to the next band";
// a number below every band is 0; percent value/target capped at 1 (target 0 means
// 100); text 1 when non-empty; date 1 when given; file 1 when at least one file is attached.
// An unanswered question (skipped or not) is 0, as is anything not recognised.
func Fraction(q *Question, a AnswerState) float64 {
	if !a.Answered {
		return 0
	}
	return clamp01(fraction(q, a))
}

func fraction(q *Question, a AnswerState) float64 {
	switch q.Type {
	case YesNo:
		if sameText(a.Value.Text, ValueYes) {
			return 1
		}
	case YesPartialNo:
		switch {
		case sameText(a.Value.Text, ValueYes):
			return 1
		case sameText(a.Value.Text, ValuePartial):
			return 0.5
		}
	case Choice:
		for _, o := range q.Options {
			if sameText(a.Value.Text, o.Label) {
				return o.Fraction
			}
		}
	case Number:
		n := a.Value.Number
		below := -1 // the last band starting at or below n
		for i, b := range q.Bands {
			if n >= b.Min && (b.Open || n <= b.Max) {
				return b.Fraction
			}
			if n >= b.Min {
				below = i
			}
		}
		if below >= 0 && below+1 < len(q.Bands) { // between bands, not past the last one
			return q.Bands[below].Fraction
		}
	case Percent:
		target := q.Target
		if target <= 0 {
			target = 100
		}
		return a.Value.Number / target
	case Text, Date:
		if strings.TrimSpace(a.Value.Text) != "" {
			return 1
		}
	case File:
		if a.Files > 0 {
			return 1
		}
	}
	return 0
}

// sameText compares canonical values leniently (case and surrounding spaces), so a value
// stored as "Ya " still counts; the engine normally stores canonical values already.
func sameText(got, want string) bool {
	if got == want {
		return true
	}
	return strings.EqualFold(strings.TrimSpace(got), want)
}

func clamp01(f float64) float64 {
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= 1:
		return 1
	}
	return f
}
