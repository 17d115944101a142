package scoring

import (
	"math"
	"math/rand"
	"reflect"
	"testing"
)

const tolerance = 1e-6

func TestScoreProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(20261123))
	for round := 0; round < 200; round++ {
		inst := randomInstrument(rng, 24+rng.Intn(700))
		m := NewModel(inst, nil)
		opds := randomOPDs(rng)
		answers := randomAnswers(rng, inst)
		r := m.Score(opds, answers)

		if math.Abs(m.MaxPoints()-1000) > tolerance {
			t.Fatalf("round %d: max points %v", round, m.MaxPoints())
		}
		if r.Claimed.Points > 1000+tolerance || r.Claimed.Points < 0 {
			t.Fatalf("round %d: claimed %v outside 0..1000", round, r.Claimed.Points)
		}
		if r.Claimed.Points < r.Evidenced.Points || r.Evidenced.Points < r.Verified.Points {
			t.Fatalf("round %d: claimed %v ≥ evidenced %v ≥ verified %v broken", round, r.Claimed.Points, r.Evidenced.Points, r.Verified.Points)
		}
		for name, rs := range map[string][]Rollup{"clusters": r.Clusters, "indicators": r.Indicators, "opds": r.OPDs} {
			var c, e, v, mx float64
			for _, x := range rs {
				c, e, v, mx = c+x.Claimed, e+x.Evidenced, v+x.Verified, mx+x.Max
				if x.Claimed < x.Evidenced-tolerance || x.Evidenced < x.Verified-tolerance || x.Claimed > x.Max+tolerance {
					t.Fatalf("round %d: %s %s out of order: %+v", round, name, x.Code, x)
				}
			}
			if math.Abs(c-r.Claimed.Points) > tolerance || math.Abs(e-r.Evidenced.Points) > tolerance ||
				math.Abs(v-r.Verified.Points) > tolerance || math.Abs(mx-1000) > tolerance {
				t.Fatalf("round %d: %s sums %v/%v/%v/%v, totals %v/%v/%v/1000", round, name, c, e, v, mx,
					r.Claimed.Points, r.Evidenced.Points, r.Verified.Points)
			}
		}
		var missing float64
		for _, g := range r.Gaps {
			missing += g.Missing
		}
		if math.Abs(missing-(1000-r.Evidenced.Points)) > tolerance {
			t.Fatalf("round %d: gaps miss %v, score lacks %v", round, missing, 1000-r.Evidenced.Points)
		}

		// Same answers in another order: the very same report.
		shuffled := append([]AnswerState(nil), answers...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		shuffledOPDs := append([]OPD(nil), opds...)
		rng.Shuffle(len(shuffledOPDs), func(i, j int) { shuffledOPDs[i], shuffledOPDs[j] = shuffledOPDs[j], shuffledOPDs[i] })
		if again := m.Score(shuffledOPDs, shuffled); !reflect.DeepEqual(again, r) {
			t.Fatalf("round %d: the order of answers or OPDs changed the report", round)
		}

		// Improving one answer never lowers any score.
		if len(answers) == 0 {
			continue
		}
		better := append([]AnswerState(nil), answers...)
		i := rng.Intn(len(better))
		improve(m, &better[i], rng.Intn(3))
		after := m.Score(opds, better)
		if after.Claimed.Points < r.Claimed.Points-tolerance || after.Evidenced.Points < r.Evidenced.Points-tolerance ||
			after.Verified.Points < r.Verified.Points-tolerance {
			t.Fatalf("round %d: improving %s lowered scores: %v/%v/%v -> %v/%v/%v", round, better[i].QuestionCode,
				r.Claimed.Points, r.Evidenced.Points, r.Verified.Points, after.Claimed.Points, after.Evidenced.Points, after.Verified.Points)
		}
	}
}

// improve makes an answer better in one way: a full-marks value, an evidence file, or approval.
func improve(m *Model, a *AnswerState, how int) {
	switch how {
	case 0:
		q := m.questions[m.byCode[a.QuestionCode]].q
		a.Answered, a.Skipped = true, false
		switch q.Type {
		case YesNo, YesPartialNo:
			a.Value.Text = ValueYes
		case Choice:
			a.Value.Text = q.Options[0].Label
		case Number:
			a.Value.Number = 10
		case Percent:
			a.Value.Number = q.Target
		case Text, Date:
			a.Value.Text = "ada"
		case File:
			a.Files++
		}
	case 1:
		a.Files++
	case 2:
		a.Review = ReviewApproved
	}
}
