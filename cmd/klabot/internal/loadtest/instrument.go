// Package loadtest generates a synthetic national KLA deployment and drives simulated
// focal points through the real engine, Postgres and Redis (or through `klabot serve`'s
// Telegram webhook), measuring throughput, latency, memory and correctness. It also
// measures the outbound sender against a fake Bot API that enforces Telegram's limits.
// `klabot loadtest` wires it; BENCHMARKS.md holds the figures.
package loadtest

import (
	"fmt"

	"github.com/klabot/klabot/scoring"
)

// indicatorsPerCluster spreads the 24 indicators of the current scheme over kelembagaan
// and the five clusters (DOMAIN.md).
var indicatorsPerCluster = []int{3, 3, 4, 6, 4, 4}

// BuildInstrument returns a valid instrument for spec: 24 indicators whose points add up
// to exactly 1000, spec.Questions questions of every answer type in turn, every
// evidenceEvery-th one requiring evidence, each assigned to one of spec.OPDs national
// OPD codes in turn (every fifth also to a second one, as real instruments share
// questions).
func BuildInstrument(spec Spec) *scoring.Instrument {
	inst := &scoring.Instrument{Year: spec.Year, Name: fmt.Sprintf("Instrumen uji beban %d", spec.Year)}
	const indicators = 24
	// 1000 = 24 × 41 + 16: the first 16 indicators weigh 42 points, the rest 41.
	base, extra := scoring.TotalPoints/indicators, scoring.TotalPoints%indicators
	ind := 0
	q := 0
	for ci, code := range scoring.ClusterCodes {
		c := scoring.Cluster{Code: code, Name: scoring.ClusterNames[code]}
		for k := 0; k < indicatorsPerCluster[ci]; k++ {
			points := base
			if ind < extra {
				points++
			}
			in := scoring.Indicator{Code: fmt.Sprint(ind + 1), Name: fmt.Sprintf("Indikator %d", ind+1), MaxPoints: float64(points)}
			count := spec.Questions / indicators
			if ind < spec.Questions%indicators {
				count++
			}
			for j := 0; j < count; j++ {
				in.Questions = append(in.Questions, question(spec, q, fmt.Sprintf("%d.%d", ind+1, j+1)))
				q++
			}
			c.Indicators = append(c.Indicators, in)
			ind++
		}
		inst.Clusters = append(inst.Clusters, c)
	}
	return inst
}

// OPDCode is the national code of OPD number i (1-based) of the synthetic dataset.
func OPDCode(i int) string { return fmt.Sprintf("OPD%02d", i) }

func question(spec Spec, n int, code string) scoring.Question {
	// An OPD's questions are n = k, k+OPDs, k+2·OPDs ...: type and evidence follow the
	// OPD's own sequence (n/OPDs), so every OPD gets every answer type, with and without
	// required evidence (8 types and every 3rd being coprime), whatever the OPD count.
	k := n/spec.OPDs + n%spec.OPDs
	t := scoring.AnswerTypes[k%len(scoring.AnswerTypes)]
	q := scoring.Question{
		Code:             code,
		Text:             fmt.Sprintf("Pertanyaan uji %s: apakah kegiatan ini sudah terlaksana di daerah Anda?", code),
		Type:             t,
		Weight:           float64(1 + n%3),
		EvidenceRequired: spec.EvidenceEvery > 0 && (n/spec.OPDs)%spec.EvidenceEvery == 0,
		OPDCodes:         []string{OPDCode(1 + n%spec.OPDs)},
	}
	if n%5 == 0 && spec.OPDs > 1 {
		q.OPDCodes = append(q.OPDCodes, OPDCode(1+(n+7)%spec.OPDs))
	}
	switch t {
	case scoring.Choice:
		q.Options = []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "Perbup, SK atau SE", Fraction: 0.6}, {Label: "Perda dalam proses", Fraction: 0.3}, {Label: "Belum ada", Fraction: 0}}
	case scoring.Number:
		q.Bands = []scoring.Band{{Min: 0, Max: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}
	case scoring.Percent:
		q.Target = 80
	}
	return q
}
