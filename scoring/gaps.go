package scoring

import (
	"cmp"
	"math"
	"slices"
)

// GapKind says what is missing on a question and so how cheap it is to close.
type GapKind string

// The gap kinds, cheapest first.
const (
	// GapEvidence: answered, but the required evidence is not attached; uploading a file
	// brings the claimed points into the evidenced score.
	GapEvidence GapKind = "evidence_missing"
	// GapSentBack: a coordinator sent the answer back for revision (needs_revision or
	// rejected); correcting it is worth up to the question's missing points.
	GapSentBack GapKind = "sent_back"
	// GapUnanswered: no answer yet (skipped or never reached).
	GapUnanswered GapKind = "unanswered"
	// GapPartial: answered below the full fraction ("sebagian", a low band, a percentage
	// under target); improving it is real work, so it comes last.
	GapPartial GapKind = "partial"
)

// QuickWin reports whether closing the gap needs no new field work: attach evidence or
// correct an answer that was sent back.
func (k GapKind) QuickWin() bool { return k == GapEvidence || k == GapSentBack }

// gapKinds are the gap kinds in rank order.
var gapKinds = [...]GapKind{GapEvidence, GapSentBack, GapUnanswered, GapPartial}

// Gap is one question whose headline (evidenced) points are below its maximum.
type Gap struct {
	Kind          GapKind  `json:"kind"`
	QuestionCode  string   `json:"question"`
	QuestionText  string   `json:"text"`
	IndicatorCode string   `json:"indicator"`
	ClusterCode   string   `json:"cluster"`
	Points        float64  `json:"points"`  // headline points gained by closing the gap
	Missing       float64  `json:"missing"` // the question's max minus its evidenced points
	Skipped       bool     `json:"skipped,omitempty"`
	OPDs          []OPDRef `json:"opds"` // the region OPDs responsible
	gain          micro
}

// gaps lists every question below its maximum, ranked: quick wins first (missing evidence,
// then answers sent back), then unanswered questions, then partial answers; inside each
// kind by points gained, largest first, then in instrument order. It sorts small keys and
// builds the gaps once, which keeps scoring a region well under a millisecond.
func (m *Model) gaps(r *Report) []Gap {
	// key holds no pointers, so sorting it costs no write barriers.
	type key struct {
		rank  int8
		gain  micro
		order int32
	}
	keys := make([]key, 0, len(r.Results))
	for qi := range r.Results {
		res := &r.Results[qi]
		missing := res.max - res.evidenced
		if missing <= 0 {
			continue
		}
		k := key{order: int32(qi), gain: missing}
		switch {
		case res.EvidenceMissing && res.claimed > 0:
			k.rank, k.gain = 0, res.claimed
		case res.Answered && res.Review.SentBack():
			k.rank = 1
		case !res.Answered:
			k.rank = 2
		default:
			k.rank = 3
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(b.gain, a.gain); c != 0 {
			return c
		}
		return cmp.Compare(a.order, b.order)
	})
	if len(keys) == 0 {
		return nil
	}
	gs := make([]Gap, len(keys))
	for i, k := range keys {
		res := &r.Results[k.order]
		gs[i] = Gap{
			Kind:          gapKinds[k.rank],
			QuestionCode:  res.Code,
			QuestionText:  m.questions[k.order].q.Text,
			IndicatorCode: res.Indicator,
			ClusterCode:   res.Cluster,
			Points:        points(k.gain),
			Missing:       points(res.max - res.evidenced),
			Skipped:       res.Skipped,
			OPDs:          res.OPDs,
			gain:          k.gain,
		}
	}
	return gs
}

// RouteTo returns the shortest prefix of the ranked gaps that lifts the headline score to
// at least target (compared on displayed values), and whether it gets there. Nothing is
// needed when the score is already there; all gaps are returned when they are not enough.
func (r *Report) RouteTo(target float64) ([]Gap, bool) {
	want := Tenths(target)
	sum := micro(math.Round(r.Evidenced.Points * 1e6))
	if microTenths(sum) >= want {
		return nil, true
	}
	for i, g := range r.Gaps {
		sum += g.gain
		if microTenths(sum) >= want {
			return r.Gaps[: i+1 : i+1], true
		}
	}
	return r.Gaps, false
}

// PointsTo returns the headline points still needed to reach target (0 when reached),
// on displayed values.
func (r *Report) PointsTo(target float64) float64 {
	d := Tenths(target) - Tenths(r.Evidenced.Points)
	if d < 0 {
		return 0
	}
	return float64(d) / 10
}

// GapsOf returns the ranked gaps the OPD with code is responsible for.
func (r *Report) GapsOf(opdCode string) []Gap {
	var out []Gap
	for _, g := range r.Gaps {
		for _, o := range g.OPDs {
			if o.Code == opdCode {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// OPD returns the roll-up of the OPD with code.
func (r *Report) OPD(code string) (Rollup, bool) {
	for _, o := range r.OPDs {
		if o.Code == code {
			return o, true
		}
	}
	return Rollup{}, false
}
