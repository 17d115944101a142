package scoring

import "math"

// Model is an instrument prepared for scoring: each question's maximum points and its
// place in the instrument are computed once, so scoring a region is a single pass over
// flat slices. A Model is immutable after NewModel and safe for concurrent use.
type Model struct {
	inst      Instrument
	tiers     Tiers
	questions []modelQuestion
	byCode    map[string]int // question code -> index in questions
	clusters  []span         // per cluster: its indicators [from, to)
	indicator []span         // per indicator: its questions [from, to)
	maxPoints micro
}

// micro is a number of millionths of a point. All sums run on whole micro-points, so a
// cluster's points are exactly the sum of its indicators', the region's exactly the sum of
// its clusters' (or OPDs'), in any order of addition.
type micro = int64

// points turns micro-points into points.
func points(m micro) float64 { return float64(m) / 1e6 }

type modelQuestion struct {
	q         *Question
	indicator int
	max       micro // indicator max × weight / Σ weights of the indicator's questions
}

type span struct{ from, to int }

// NewModel prepares inst for scoring with the given tier bands (nil means DefaultTiers).
// A question's maximum is its indicator's MaxPoints × its weight / the sum of the weights
// of the indicator's questions; weights that are not positive count as 0. The instrument
// is validated on import, not here.
func NewModel(inst Instrument, tiers Tiers) *Model {
	if len(tiers) == 0 {
		tiers = DefaultTiers
	}
	m := &Model{inst: inst, tiers: tiers, byCode: map[string]int{}}
	for ci := range m.inst.Clusters {
		c := &m.inst.Clusters[ci]
		cs := span{from: len(m.indicator)}
		for ii := range c.Indicators {
			ind := &c.Indicators[ii]
			var sum float64
			for _, q := range ind.Questions {
				if q.Weight > 0 {
					sum += q.Weight
				}
			}
			is := span{from: len(m.questions)}
			maxes := shares(ind.MaxPoints, sum, ind.Questions)
			for qi := range ind.Questions {
				q := &ind.Questions[qi]
				m.byCode[q.Code] = len(m.questions)
				m.questions = append(m.questions, modelQuestion{q: q, indicator: len(m.indicator), max: maxes[qi]})
				m.maxPoints += maxes[qi]
			}
			is.to = len(m.questions)
			m.indicator = append(m.indicator, is)
		}
		cs.to = len(m.indicator)
		m.clusters = append(m.clusters, cs)
	}
	return m
}

// shares splits an indicator's maximum over its questions by weight, in whole
// micro-points that add up exactly to the indicator's maximum: each question gets the
// floor of its share, and the micro-points left over go one each to the questions with the
// largest remainders (earlier questions first on ties).
func shares(maxPoints, weightSum float64, qs []Question) []micro {
	out := make([]micro, len(qs))
	if weightSum <= 0 || maxPoints <= 0 {
		return out
	}
	total := micro(math.Round(maxPoints * 1e6))
	rest := make([]float64, len(qs))
	var given micro
	for i, q := range qs {
		if q.Weight <= 0 {
			rest[i] = -1
			continue
		}
		exact := float64(total) * q.Weight / weightSum
		out[i] = micro(math.Floor(exact))
		rest[i] = exact - float64(out[i])
		given += out[i]
	}
	for left := total - given; left > 0; left-- {
		best := -1
		for i, r := range rest {
			if r >= 0 && (best < 0 || r > rest[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		out[best]++
		rest[best] = -1
	}
	return out
}

// Instrument returns the instrument the model scores.
func (m *Model) Instrument() *Instrument { return &m.inst }

// Tiers returns the model's tier bands.
func (m *Model) Tiers() Tiers { return m.tiers }

// MaxPoints is the most a region can score (1000 for a valid instrument).
func (m *Model) MaxPoints() float64 { return points(m.maxPoints) }

// QuestionMax returns the maximum points of the question with code, and whether it exists.
func (m *Model) QuestionMax(code string) (float64, bool) {
	i, ok := m.byCode[code]
	if !ok {
		return 0, false
	}
	return points(m.questions[i].max), true
}
