// Package instrumentdiff compares the instrument of a year as stored with a new file for
// the same year, question by question, and says which current answers each change touches.
// A change touches an answer when the answer's value, its fraction, its evidence rule or
// its question's maximum points would not be the same after the import: that is what an
// operator must see before re-importing over a year with answers, and what `klabot import`
// refuses without --force. Pure Go, no I/O.
package instrumentdiff

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/klabot/klabot/scoring"
)

// Kind is what happened to a question.
type Kind string

// The kinds of question changes, in the order a diff lists them.
const (
	Added   Kind = "added"   // new in the file
	Revived Kind = "revived" // retired by an earlier import, back in the file (with its answers)
	Changed Kind = "changed" // in both, different content
	Retired Kind = "retired" // stored, not in the file: hidden with its answers
)

// AnswerGroup is a number of current answers to one question (over all regions) that
// share a value and whether they have evidence files.
type AnswerGroup struct {
	Value scoring.Value `json:"value"`
	Files bool          `json:"files"` // the current version has at least one file
	Count int           `json:"count"`
}

// Usage lists the current answers of each question code.
type Usage map[string][]AnswerGroup

// Answers returns the number of current answers to code.
func (u Usage) Answers(code string) int {
	n := 0
	for _, g := range u[code] {
		n += g.Count
	}
	return n
}

// Rename is an option relabelled at the same position with the same fraction: the answers
// that chose From are kept, mapped to To.
type Rename struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Answers int    `json:"answers"`
}

// Change is one question that differs between the stored year and the file.
type Change struct {
	Code string `json:"code"`
	Kind Kind   `json:"kind"`
	// Fields names what changed for Changed and Revived: text, help, answer_type, options,
	// bands, target, weight, evidence_required, opd_codes, indicator, points (the
	// question's share of its indicator).
	Fields  []string `json:"fields,omitempty"`
	Answers int      `json:"answers"` // current answers to the question, all regions
	// Touched counts the answers whose value, fraction, evidence rule or points change.
	Touched int `json:"touched"`
	// Why says in a few words what touches the answers ("type number → yes_partial_no").
	Why     []string `json:"why,omitempty"`
	Renames []Rename `json:"renames,omitempty"`
}

// Wording reports whether only the wording (text or help) or the OPDs changed: the
// answers are kept as they are.
func (c Change) Wording() bool {
	for _, f := range c.Fields {
		if f != "text" && f != "help" && f != "opd_codes" {
			return false
		}
	}
	return c.Kind == Changed
}

// Diff is the comparison of a stored year with a new file.
type Diff struct {
	Changes   []Change `json:"changes"`   // by kind, then by question code
	Unchanged int      `json:"unchanged"` // questions with the same content
}

// Touched returns the number of current answers the import would touch.
func (d Diff) Touched() int {
	n := 0
	for _, c := range d.Changes {
		n += c.Touched
	}
	return n
}

// Count returns the number of changes of kind k.
func (d Diff) Count(k Kind) int {
	n := 0
	for _, c := range d.Changes {
		if c.Kind == k {
			n++
		}
	}
	return n
}

// Renames returns every option rename of the diff by question code.
func (d Diff) Renames() map[string][]Rename {
	out := map[string][]Rename{}
	for _, c := range d.Changes {
		if len(c.Renames) > 0 {
			out[c.Code] = c.Renames
		}
	}
	return out
}

// Located is a stored question with the indicator it belongs to.
type Located struct {
	Question  scoring.Question
	Indicator string
}

// Compare compares old (the year as stored, active questions only) and retired (questions
// retired by earlier imports, by code) with next (the new file), with usage the current
// answers of the year. old may be nil for a year never imported.
func Compare(old *scoring.Instrument, retired map[string]Located, next *scoring.Instrument, usage Usage) Diff {
	var d Diff
	before := index(old)
	after := index(next)
	var oldModel, newModel *scoring.Model
	if old != nil {
		oldModel = scoring.NewModel(*old, nil)
	}
	newModel = scoring.NewModel(*next, nil)

	for _, code := range codes(next) {
		nq := after[code]
		oq, active := before[code]
		if !active {
			rq, wasRetired := retired[code]
			if !wasRetired {
				d.Changes = append(d.Changes, Change{Code: code, Kind: Added})
				continue
			}
			// A revived question's answers come back: they count again, on the new rule.
			c := compareQuestion(rq, nq, usage[code], math.NaN(), questionMax(newModel, code))
			c.Kind = Revived
			c.Answers = usage.Answers(code)
			if c.Answers > 0 { // they count again: the score moves
				c.Touched = c.Answers
				c.Why = append([]string{"answers count again"}, c.Why...)
			}
			d.Changes = append(d.Changes, c)
			continue
		}
		c := compareQuestion(oq, nq, usage[code], questionMax(oldModel, code), questionMax(newModel, code))
		c.Answers = usage.Answers(code)
		if len(c.Fields) == 0 {
			d.Unchanged++
			continue
		}
		c.Kind = Changed
		d.Changes = append(d.Changes, c)
	}
	for _, code := range codes(old) {
		if _, ok := after[code]; ok {
			continue
		}
		n := usage.Answers(code)
		c := Change{Code: code, Kind: Retired, Answers: n, Touched: n}
		if n > 0 {
			c.Why = []string{"answers hidden"}
		}
		d.Changes = append(d.Changes, c)
	}
	order := map[Kind]int{Added: 0, Revived: 1, Changed: 2, Retired: 3}
	sort.SliceStable(d.Changes, func(i, j int) bool {
		a, b := d.Changes[i], d.Changes[j]
		if a.Kind != b.Kind {
			return order[a.Kind] < order[b.Kind]
		}
		return lessCode(a.Code, b.Code)
	})
	return d
}

// compareQuestion compares one question in both versions. oldMax is NaN for a revived
// question (its points were 0 while retired: coming back is a change people asked for).
func compareQuestion(o Located, n Located, groups []AnswerGroup, oldMax, newMax float64) Change {
	c := Change{Code: n.Question.Code}
	oq, nq := o.Question, n.Question
	add := func(f string, changed bool) {
		if changed {
			c.Fields = append(c.Fields, f)
		}
	}
	add("text", oq.Text != nq.Text)
	add("help", oq.Help != nq.Help)
	add("answer_type", oq.Type != nq.Type)
	add("options", !slices.Equal(oq.Options, nq.Options))
	add("bands", !slices.Equal(oq.Bands, nq.Bands))
	add("target", oq.Target != nq.Target)
	add("weight", oq.Weight != nq.Weight)
	add("evidence_required", oq.EvidenceRequired != nq.EvidenceRequired)
	add("opd_codes", !slices.Equal(oq.OPDCodes, nq.OPDCodes))
	add("indicator", o.Indicator != n.Indicator)
	pointsMoved := !math.IsNaN(oldMax) && !samePoints(oldMax, newMax)
	add("points", pointsMoved && !slices.Contains(c.Fields, "weight") && !slices.Contains(c.Fields, "indicator"))
	if len(c.Fields) == 0 {
		return c
	}

	c.Renames = optionRenames(oq, nq)
	why := map[string]bool{}
	for _, g := range groups {
		v := g.Value
		if to, ok := renamedTo(c.Renames, v.Text); ok {
			for i := range c.Renames {
				if c.Renames[i].From == to.From {
					c.Renames[i].Answers += g.Count
				}
			}
			v.Text = to.To
		}
		var reasons []string
		if !valid(nq, v) {
			reasons = append(reasons, fmt.Sprintf("%q is no answer to a %s question", display(g.Value), nq.Type))
		} else {
			before := scoring.Fraction(&oq, scoring.AnswerState{Answered: true, Value: g.Value, Files: files(g)})
			after := scoring.Fraction(&nq, scoring.AnswerState{Answered: true, Value: v, Files: files(g)})
			if math.Abs(before-after) > 1e-9 {
				reasons = append(reasons, fmt.Sprintf("answer %q scores %s instead of %s", display(g.Value), frac(after), frac(before)))
			}
		}
		if oq.EvidenceRequired != nq.EvidenceRequired && !g.Files {
			if nq.EvidenceRequired {
				reasons = append(reasons, "evidence now required, answers without files stop counting")
			} else {
				reasons = append(reasons, "evidence no longer required, answers without files start counting")
			}
		}
		if pointsMoved {
			reasons = append(reasons, fmt.Sprintf("max points %s → %s", scoring.FormatPoints(oldMax), scoring.FormatPoints(newMax)))
		}
		if len(reasons) > 0 {
			c.Touched += g.Count
			for _, r := range reasons {
				if !why[r] {
					why[r] = true
					c.Why = append(c.Why, r)
				}
			}
		}
	}
	if oq.Type != nq.Type && c.Touched > 0 {
		c.Why = append([]string{fmt.Sprintf("type %s → %s", oq.Type, nq.Type)}, c.Why...)
	}
	return c
}

// optionRenames finds the options of a choice question relabelled at the same position
// with the same fraction, where neither label appears elsewhere in the other version (a
// swap of two labels is no rename).
func optionRenames(oq, nq scoring.Question) []Rename {
	if oq.Type != scoring.Choice || nq.Type != scoring.Choice {
		return nil
	}
	var out []Rename
	for i := 0; i < len(oq.Options) && i < len(nq.Options); i++ {
		o, n := oq.Options[i], nq.Options[i]
		if strings.EqualFold(strings.TrimSpace(o.Label), strings.TrimSpace(n.Label)) || o.Fraction != n.Fraction {
			continue
		}
		if hasLabel(nq.Options, o.Label) || hasLabel(oq.Options, n.Label) {
			continue
		}
		out = append(out, Rename{From: o.Label, To: n.Label})
	}
	return out
}

func renamedTo(rs []Rename, text string) (Rename, bool) {
	for _, r := range rs {
		if strings.EqualFold(strings.TrimSpace(text), strings.TrimSpace(r.From)) {
			return r, true
		}
	}
	return Rename{}, false
}

func hasLabel(opts []scoring.Option, label string) bool {
	for _, o := range opts {
		if strings.EqualFold(strings.TrimSpace(o.Label), strings.TrimSpace(label)) {
			return true
		}
	}
	return false
}

// valid reports whether v is an answer a question of q's type can hold, so that the
// dialogue and the scores read it as it was meant.
func valid(q scoring.Question, v scoring.Value) bool {
	t := strings.TrimSpace(v.Text)
	switch q.Type {
	case scoring.YesNo:
		return strings.EqualFold(t, scoring.ValueYes) || strings.EqualFold(t, scoring.ValueNo)
	case scoring.YesPartialNo:
		return strings.EqualFold(t, scoring.ValueYes) || strings.EqualFold(t, scoring.ValueNo) ||
			strings.EqualFold(t, scoring.ValuePartial)
	case scoring.Choice:
		return hasLabel(q.Options, t)
	case scoring.Number, scoring.Percent:
		return t == ""
	case scoring.Date:
		return len(t) == 10 && t[4] == '-' && t[7] == '-'
	case scoring.File:
		return t == "" && v.Number == 0
	}
	return true // text: anything
}

func files(g AnswerGroup) int {
	if g.Files {
		return 1
	}
	return 0
}

func display(v scoring.Value) string {
	if v.Text != "" {
		return v.Text
	}
	return strings.Replace(fmt.Sprintf("%g", v.Number), ".", ",", 1)
}

func frac(f float64) string { return strings.Replace(fmt.Sprintf("%.2g", f), ".", ",", 1) }

func samePoints(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func questionMax(m *scoring.Model, code string) float64 {
	if m == nil {
		return math.NaN()
	}
	p, _ := m.QuestionMax(code)
	return p
}

func index(in *scoring.Instrument) map[string]Located {
	out := map[string]Located{}
	if in == nil {
		return out
	}
	for _, c := range in.Clusters {
		for _, ind := range c.Indicators {
			for _, q := range ind.Questions {
				out[q.Code] = Located{Question: q, Indicator: ind.Code}
			}
		}
	}
	return out
}

func codes(in *scoring.Instrument) []string {
	if in == nil {
		return nil
	}
	var out []string
	for _, q := range in.Questions() {
		out = append(out, q.Code)
	}
	return out
}

// lessCode orders question codes the way people number them: 1.2 before 1.10.
func lessCode(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		var x, y int
		_, e1 := fmt.Sscanf(as[i], "%d", &x)
		_, e2 := fmt.Sscanf(bs[i], "%d", &y)
		if e1 == nil && e2 == nil && x != y {
			return x < y
		}
		return as[i] < bs[i]
	}
	return len(as) < len(bs)
}
