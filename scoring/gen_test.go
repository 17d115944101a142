package scoring

import (
	"fmt"
	"math/rand"
)

// randomInstrument builds an instrument of kelembagaan and five clusters, 24 indicators
// summing to 1000 points, and n questions of every answer type, spread over 30 OPD codes.
func randomInstrument(rng *rand.Rand, n int) Instrument {
	inst := Instrument{Year: 2026, Name: "Acak"}
	perCluster := []int{3, 3, 4, 6, 4, 4}
	maxes := make([]float64, 24)
	left := 1000.0
	for i := range maxes {
		if i == len(maxes)-1 {
			maxes[i] = left
			break
		}
		maxes[i] = float64(20 + rng.Intn(22)) // 20..41, the rest (at least 57) to the last one
		left -= maxes[i]
	}
	ind := 0
	q := 0
	for ci, code := range ClusterCodes {
		c := Cluster{Code: code, Name: ClusterNames[code]}
		for k := 0; k < perCluster[ci]; k++ {
			in := Indicator{Code: fmt.Sprint(ind + 1), Name: fmt.Sprint("Indikator ", ind+1), MaxPoints: maxes[ind]}
			count := n / 24
			if ind < n%24 {
				count++
			}
			for j := 0; j < count; j++ {
				in.Questions = append(in.Questions, randomQuestion(rng, fmt.Sprintf("%d.%d", ind+1, j+1)))
				q++
			}
			c.Indicators = append(c.Indicators, in)
			ind++
		}
		inst.Clusters = append(inst.Clusters, c)
	}
	return inst
}

func randomQuestion(rng *rand.Rand, code string) Question {
	q := Question{
		Code:             code,
		Text:             "Pertanyaan " + code,
		Type:             AnswerTypes[rng.Intn(len(AnswerTypes))],
		Weight:           float64(1 + rng.Intn(3)),
		EvidenceRequired: rng.Intn(3) > 0,
	}
	for k := 0; k < 1+rng.Intn(2); k++ {
		q.OPDCodes = append(q.OPDCodes, fmt.Sprintf("OPD%02d", rng.Intn(30)))
	}
	switch q.Type {
	case Choice:
		q.Options = []Option{{"a", 1}, {"b", 0.6}, {"c", 0.3}, {"d", 0}}
	case Number:
		q.Bands = []Band{{Min: 0, Max: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}
	case Percent:
		q.Target = float64(50 + rng.Intn(51))
	}
	return q
}

// randomOPDs returns a region's OPDs: most answer for one national code, some for two,
// and a few national codes have no OPD in the region.
func randomOPDs(rng *rand.Rand) []OPD {
	var opds []OPD
	for i := 0; i < 28; i++ {
		o := OPD{Code: fmt.Sprintf("L%02d", i), Name: fmt.Sprint("Dinas ", i), AnswersFor: []string{fmt.Sprintf("OPD%02d", i)}}
		if i%5 == 0 {
			o.AnswersFor = append(o.AnswersFor, fmt.Sprintf("OPD%02d", (i+7)%30))
		}
		opds = append(opds, o)
	}
	rng.Shuffle(len(opds), func(i, j int) { opds[i], opds[j] = opds[j], opds[i] })
	return opds
}

// randomAnswers answers about two thirds of the questions with random values, files and reviews.
func randomAnswers(rng *rand.Rand, inst Instrument) []AnswerState {
	var out []AnswerState
	for _, q := range inst.Questions() {
		switch rng.Intn(6) {
		case 0:
			continue
		case 1:
			out = append(out, AnswerState{QuestionCode: q.Code, Skipped: true})
			continue
		}
		a := AnswerState{QuestionCode: q.Code, Answered: true, Files: rng.Intn(3) * rng.Intn(2)}
		switch q.Type {
		case YesNo:
			a.Value.Text = []string{ValueYes, ValueNo}[rng.Intn(2)]
		case YesPartialNo:
			a.Value.Text = []string{ValueYes, ValuePartial, ValueNo}[rng.Intn(3)]
		case Choice:
			a.Value.Text = q.Options[rng.Intn(len(q.Options))].Label
		case Number:
			a.Value.Number = float64(rng.Intn(9))
		case Percent:
			a.Value.Number = rng.Float64() * 120
		case Text, Date:
			a.Value.Text = []string{"", "ada"}[rng.Intn(2)]
		}
		a.Review = []ReviewState{ReviewNone, ReviewNone, ReviewApproved, ReviewNeedsRevision, ReviewRejected}[rng.Intn(5)]
		out = append(out, a)
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
