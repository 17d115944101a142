package scoring

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// TotalPoints is what the indicators of an instrument must add up to.
const TotalPoints = 1000

// Problem is one thing wrong with an instrument. Field names the import column it is
// about (answer_type, options, ...), so a file reader can point at a row and column.
type Problem struct {
	Question  string // question code, when the problem is about one question
	Indicator string // indicator code, when the problem is about one indicator
	Field     string // import column: cluster, indicator_code, indicator_max_points, question_code, ...
	Msg       string
}

func (p Problem) Error() string {
	var where []string
	if p.Question != "" {
		where = append(where, "question "+p.Question)
	} else if p.Indicator != "" {
		where = append(where, "indicator "+p.Indicator)
	}
	if p.Field != "" {
		where = append(where, p.Field)
	}
	if len(where) == 0 {
		return p.Msg
	}
	return strings.Join(where, ", ") + ": " + p.Msg
}

// Validate returns every problem of the instrument joined into one error, or nil.
func (in *Instrument) Validate() error {
	ps := in.Problems()
	if len(ps) == 0 {
		return nil
	}
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Problems lists what is wrong with the instrument: unknown clusters, duplicate codes,
// indicators without questions, points not adding up to TotalPoints, and every problem of
// each question (see Question.Problems).
func (in *Instrument) Problems() []Problem {
	var ps []Problem
	if in.Year < 2000 || in.Year > 2100 {
		ps = append(ps, Problem{Msg: fmt.Sprintf("evaluation year %d is out of range (2000-2100)", in.Year)})
	}
	if len(in.Clusters) == 0 {
		ps = append(ps, Problem{Msg: "the instrument has no questions"})
		return ps
	}
	clusters := map[string]bool{}
	indicators := map[string]bool{}
	questions := map[string]bool{}
	var total float64
	for _, c := range in.Clusters {
		if _, ok := ClusterNames[c.Code]; !ok {
			ps = append(ps, Problem{Field: "cluster", Msg: fmt.Sprintf("unknown cluster %q (use Kelembagaan, I, II, III, IV or V)", c.Code)})
		}
		if clusters[c.Code] {
			ps = append(ps, Problem{Field: "cluster", Msg: fmt.Sprintf("cluster %s appears twice", c.Code)})
		}
		clusters[c.Code] = true
		for _, ind := range c.Indicators {
			if strings.TrimSpace(ind.Code) == "" {
				ps = append(ps, Problem{Field: "indicator_code", Msg: "an indicator has no code"})
			} else if indicators[ind.Code] {
				ps = append(ps, Problem{Indicator: ind.Code, Field: "indicator_code", Msg: "duplicate indicator code"})
			}
			indicators[ind.Code] = true
			if strings.TrimSpace(ind.Name) == "" {
				ps = append(ps, Problem{Indicator: ind.Code, Field: "indicator_name", Msg: "the indicator has no name"})
			}
			if ind.MaxPoints < 0 || math.IsNaN(ind.MaxPoints) || math.IsInf(ind.MaxPoints, 0) {
				ps = append(ps, Problem{Indicator: ind.Code, Field: "indicator_max_points", Msg: "points must be a number of 0 or more"})
			} else {
				total += ind.MaxPoints
			}
			if len(ind.Questions) == 0 {
				ps = append(ps, Problem{Indicator: ind.Code, Msg: "the indicator has no questions"})
			}
			for _, q := range ind.Questions {
				if q.Code != "" && questions[q.Code] {
					ps = append(ps, Problem{Question: q.Code, Field: "question_code", Msg: "duplicate question code"})
				}
				questions[q.Code] = true
				ps = append(ps, q.Problems()...)
			}
		}
	}
	if math.Abs(total-TotalPoints) > 1e-6 {
		ps = append(ps, Problem{Field: "indicator_max_points", Msg: fmt.Sprintf(
			"the indicators' points add up to %s, not %d", formatNumber(total), TotalPoints)})
	}
	return ps
}

// Problems lists what is wrong with one question on its own.
func (q Question) Problems() []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Question: q.Code, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(q.Code) == "" {
		add("question_code", "the question has no code")
	}
	if strings.TrimSpace(q.Text) == "" {
		add("question_text", "the question has no text")
	}
	if !q.Type.Valid() {
		add("answer_type", "unknown type %q (use %s)", string(q.Type), typeList())
	}
	if !(q.Weight > 0) || math.IsInf(q.Weight, 0) {
		add("weight", "weight must be a number above 0, got %s", formatNumber(q.Weight))
	}
	if len(q.OPDCodes) == 0 {
		add("opd_codes", "the question is assigned to no OPD")
	}
	for _, c := range q.OPDCodes {
		if strings.TrimSpace(c) == "" || strings.ContainsAny(c, " ,;") {
			add("opd_codes", "OPD code %q is not a single code", c)
		}
	}
	switch q.Type {
	case Choice:
		if len(q.Options) < 2 {
			add("options", "a choice question needs at least two options (label=fraction;label=fraction)")
		}
		labels := map[string]bool{}
		for _, o := range q.Options {
			key := strings.ToLower(strings.TrimSpace(o.Label))
			if key == "" {
				add("options", "an option has no label")
			} else if labels[key] {
				add("options", "option %q appears twice", o.Label)
			}
			labels[key] = true
			if !(o.Fraction >= 0 && o.Fraction <= 1) {
				add("options", "option %q: fraction %s is not between 0 and 1", o.Label, formatNumber(o.Fraction))
			}
		}
	case Number:
		if len(q.Bands) == 0 {
			add("options", "a number question needs bands such as 0=0;1-4=0.5;5+=1")
		}
		for i, b := range q.Bands {
			if !(b.Fraction >= 0 && b.Fraction <= 1) {
				add("options", "band %d: fraction %s is not between 0 and 1", i+1, formatNumber(b.Fraction))
			}
			if !b.Open && b.Max < b.Min {
				add("options", "band %d: %s-%s runs backwards", i+1, formatNumber(b.Min), formatNumber(b.Max))
			}
			if b.Open && i != len(q.Bands)-1 {
				add("options", "band %d: only the last band may be open (N+)", i+1)
			}
			if i > 0 {
				prev := q.Bands[i-1]
				if prev.Open || b.Min < prev.Max {
					add("options", "band %d overlaps the band before it (bands go from low to high; a band may start where the one before ends)", i+1)
				}
			}
		}
	case Percent:
		if !(q.Target > 0) || math.IsInf(q.Target, 0) {
			add("options", "a percent question needs a target above 0, such as target=100")
		}
	}
	if q.Type != Choice && len(q.Options) > 0 {
		add("options", "only choice questions have options")
	}
	if q.Type != Number && len(q.Bands) > 0 {
		add("options", "only number questions have bands")
	}
	return ps
}

func typeList() string {
	names := make([]string, len(AnswerTypes))
	for i, t := range AnswerTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func formatNumber(f float64) string {
	return fmt.Sprintf("%g", f)
}
