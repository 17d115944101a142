package scoring

import (
	"math/rand"
	"testing"
)

// BenchmarkScoreRegion700 scores one region on an instrument of 700 questions.
func BenchmarkScoreRegion700(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	inst := randomInstrument(rng, 700)
	m := NewModel(inst, nil)
	opds := randomOPDs(rng)
	answers := randomAnswers(rng, inst)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m.Score(opds, answers)
	}
}

// BenchmarkScore514Regions scores every kabupaten/kota of Indonesia once on one model:
// one iteration is a whole national digest run's arithmetic.
func BenchmarkScore514Regions(b *testing.B) {
	rng := rand.New(rand.NewSource(2))
	inst := randomInstrument(rng, 700)
	m := NewModel(inst, nil)
	type region struct {
		opds    []OPD
		answers []AnswerState
	}
	regions := make([]region, 514)
	for i := range regions {
		regions[i] = region{randomOPDs(rng), randomAnswers(rng, inst)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range regions {
			m.Score(r.opds, r.answers)
		}
	}
}
