package scoring

import (
	"math"
	"slices"
	"strings"
)

// Score is one of the three scores of a region with its tier, the next tier and the points
// still needed to reach it.
type Score struct {
	Points           float64 `json:"points"` // exact sum, float noise removed; display with FormatPoints
	Tier             Tier    `json:"tier"`
	NextTier         *Tier   `json:"next_tier"` // nil at the top tier
	PointsToNextTier float64 `json:"points_to_next_tier"`
}

// Headline names the score a region's tier is stated on.
const Headline = "evidenced"

// Report is the result of scoring one region: the three scores, the headline tier, the
// roll-ups per cluster, indicator and OPD, every question's points and the ranked gaps.
//
// The headline (Tier, NextTier, PointsToNextTier, gaps and route) is the Evidenced score:
// in the ministry's evaluation points count only with their evidence (bukti dukung), so
// that is the tier a region can honestly expect; Claimed and Verified are shown beside it.
type Report struct {
	Year      int    `json:"year"`
	Claimed   Score  `json:"claimed"`   // all current answers, as the OPDs answered
	Evidenced Score  `json:"evidenced"` // answers whose required evidence is attached
	Verified  Score  `json:"verified"`  // evidenced answers a coordinator approved
	Headline  string `json:"headline"`  // which score Tier is stated on: always "evidenced"

	Tier             Tier    `json:"tier"`
	NextTier         *Tier   `json:"next_tier"`
	PointsToNextTier float64 `json:"points_to_next_tier"`

	// VerifiedNote explains a verified score of 0 when no answer has been reviewed yet.
	VerifiedNote string `json:"verified_note,omitempty"`

	MaxPoints float64 `json:"max_points"`
	Questions int     `json:"questions"` // questions in the instrument
	Answered  int     `json:"answered"`  // questions with a current answer
	Skipped   int     `json:"skipped"`   // unanswered questions someone skipped

	Clusters   []Rollup `json:"clusters"`   // instrument order
	Indicators []Rollup `json:"indicators"` // instrument order
	// OPDs are the region's OPDs in code order. A question's points are shared equally
	// among the OPDs responsible for it, so the OPDs' points sum to the total; questions no
	// OPD answers for are gathered under an OPD with an empty Code.
	OPDs []Rollup `json:"opds"`

	Results []QuestionResult `json:"results"` // one per question, instrument order
	Gaps    []Gap            `json:"gaps"`    // ranked: quick wins first, then by points
	// Route is the shortest prefix of Gaps that lifts the headline score to NextTier;
	// all of Gaps when even they do not reach it (RouteReaches is then false).
	Route        []Gap `json:"route"`
	RouteReaches bool  `json:"route_reaches"`
}

// Rollup is the points of a cluster, an indicator or an OPD.
type Rollup struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	Cluster   string  `json:"cluster,omitempty"` // indicators: the cluster code
	Max       float64 `json:"max"`
	Claimed   float64 `json:"claimed"`
	Evidenced float64 `json:"evidenced"`
	Verified  float64 `json:"verified"`
	Missing   float64 `json:"missing"` // Max − Evidenced: what the headline still lacks
	Questions int     `json:"questions"`
	Answered  int     `json:"answered"`
	Skipped   int     `json:"skipped"`
	// EvidenceMissing counts answered questions that need evidence and have no file;
	// SentBack counts answers a coordinator sent back for revision.
	EvidenceMissing int `json:"evidence_missing"`
	SentBack        int `json:"sent_back"`

	max, claimed, evidenced, verified micro
}

// Completion is the share of the roll-up's questions that have an answer, 0..1.
func (r Rollup) Completion() float64 {
	if r.Questions == 0 {
		return 0
	}
	return float64(r.Answered) / float64(r.Questions)
}

// QuestionResult is the points of one question.
type QuestionResult struct {
	Code      string  `json:"code"`
	Indicator string  `json:"indicator"`
	Cluster   string  `json:"cluster"`
	Max       float64 `json:"max"`
	Fraction  float64 `json:"fraction"`
	Claimed   float64 `json:"claimed"`
	Evidenced float64 `json:"evidenced"`
	Verified  float64 `json:"verified"`
	Answered  bool    `json:"answered"`
	Skipped   bool    `json:"skipped,omitempty"`
	// EvidenceMissing: answered, evidence required, no file attached.
	EvidenceMissing bool        `json:"evidence_missing,omitempty"`
	Review          ReviewState `json:"review,omitempty"`
	OPDs            []OPDRef    `json:"opds"` // the region OPDs responsible

	max, claimed, evidenced, verified micro
}

// VerifiedNoReviews is the VerifiedNote when nothing has been reviewed yet.
const VerifiedNoReviews = "Belum ada jawaban yang ditinjau koordinator, jadi nilai terverifikasi masih 0."

// UnassignedOPDName names the bucket of questions no region OPD answers for.
const UnassignedOPDName = "(belum ada OPD)"

// Score scores one region. opds are the region's OPDs (any order); answers hold at most
// one state per question (a later duplicate wins; codes the instrument does not know are
// ignored). The result depends only on the inputs, never on their order or on map order:
// arithmetic runs on whole micro-points and OPDs are sorted by code.
func (m *Model) Score(opds []OPD, answers []AnswerState) Report {
	n := len(m.questions)
	r := Report{
		Year:      m.inst.Year,
		Headline:  Headline,
		MaxPoints: points(m.maxPoints),
		Questions: n,
	}

	// Which answer belongs to which question.
	state := make([]int32, n)
	for i := range state {
		state[i] = -1
	}
	reviewed := false
	for i := range answers {
		if qi, ok := m.byCode[answers[i].QuestionCode]; ok {
			state[qi] = int32(i)
			if answers[i].Review != ReviewNone {
				reviewed = true
			}
		}
	}

	// Region OPDs, sorted, and who answers for which national code.
	sorted := make([]OPD, len(opds))
	copy(sorted, opds)
	slices.SortStableFunc(sorted, func(a, b OPD) int { return strings.Compare(a.Code, b.Code) })
	national := make(map[string][]int, len(sorted)*2)
	for oi, o := range sorted {
		codes := o.AnswersFor
		if len(codes) == 0 {
			codes = []string{o.Code}
		}
		for _, c := range codes {
			if l := national[c]; len(l) == 0 || l[len(l)-1] != oi {
				national[c] = append(l, oi)
			}
		}
	}
	unassigned := len(sorted)
	r.OPDs = make([]Rollup, len(sorted)+1)
	for oi, o := range sorted {
		r.OPDs[oi] = Rollup{Code: o.Code, Name: o.Name}
	}
	r.OPDs[unassigned] = Rollup{Name: UnassignedOPDName}
	refs := make([]OPDRef, 0, n*2)
	owners := make([]int, 0, 8)

	r.Results = make([]QuestionResult, n)
	r.Indicators = make([]Rollup, len(m.indicator))
	r.Clusters = make([]Rollup, len(m.clusters))
	for qi := range m.questions {
		mq := &m.questions[qi]
		q := mq.q
		res := &r.Results[qi]
		res.Code = q.Code
		res.max = mq.max
		var a AnswerState
		if si := state[qi]; si >= 0 {
			a = answers[si]
		}
		res.Answered = a.Answered
		res.Skipped = a.Skipped && !a.Answered
		res.Review = a.Review
		res.Fraction = Fraction(q, a)
		res.claimed = micro(math.Round(float64(mq.max) * res.Fraction))
		evidenceOK := !q.NeedsEvidence(a.Value) || a.Files > 0
		res.EvidenceMissing = a.Answered && !evidenceOK
		if evidenceOK {
			res.evidenced = res.claimed
			if a.Review == ReviewApproved {
				res.verified = res.claimed
			}
		}
		res.Max, res.Claimed, res.Evidenced, res.Verified = points(res.max), points(res.claimed), points(res.evidenced), points(res.verified)

		// The region OPDs responsible, in the order the question lists national codes.
		owners = owners[:0]
		for _, c := range q.OPDCodes {
			for _, oi := range national[c] {
				if !slices.Contains(owners, oi) {
					owners = append(owners, oi)
				}
			}
		}
		if len(owners) == 0 {
			owners = append(owners, unassigned)
		}
		from := len(refs)
		for k, oi := range owners {
			if oi != unassigned {
				refs = append(refs, OPDRef{Code: sorted[oi].Code, Name: sorted[oi].Name})
			}
			r.OPDs[oi].add(res, k, len(owners))
		}
		res.OPDs = refs[from:len(refs):len(refs)]
		r.Indicators[mq.indicator].add(res, 0, 1)
		if res.Answered {
			r.Answered++
		} else if res.Skipped {
			r.Skipped++
		}
	}

	// Names and totals: indicators into clusters into the region, in instrument order.
	var total Rollup
	for ci, cs := range m.clusters {
		c := &m.inst.Clusters[ci]
		cr := &r.Clusters[ci]
		cr.Code, cr.Name = c.Code, c.Name
		for ii := cs.from; ii < cs.to; ii++ {
			ind := &c.Indicators[ii-cs.from]
			ir := &r.Indicators[ii]
			ir.Code, ir.Name, ir.Cluster = ind.Code, ind.Name, c.Code
			for qi := m.indicator[ii].from; qi < m.indicator[ii].to; qi++ {
				r.Results[qi].Indicator, r.Results[qi].Cluster = ind.Code, c.Code
			}
			cr.merge(ir)
		}
		total.merge(cr)
	}
	if r.OPDs[unassigned].Questions == 0 {
		r.OPDs = r.OPDs[:unassigned]
	}
	for _, rs := range [][]Rollup{r.Clusters, r.Indicators, r.OPDs} {
		for i := range rs {
			rs[i].finish()
		}
	}

	r.Claimed = m.score(total.claimed)
	r.Evidenced = m.score(total.evidenced)
	r.Verified = m.score(total.verified)
	if !reviewed {
		r.VerifiedNote = VerifiedNoReviews
	}
	r.Tier, r.NextTier, r.PointsToNextTier = r.Evidenced.Tier, r.Evidenced.NextTier, r.Evidenced.PointsToNextTier

	r.Gaps = m.gaps(&r)
	if r.NextTier != nil {
		r.Route, r.RouteReaches = r.RouteTo(r.NextTier.Min)
	} else {
		r.RouteReaches = true
	}
	return r
}

func (m *Model) score(total micro) Score {
	s := Score{Points: points(total)}
	s.Tier, s.NextTier, s.PointsToNextTier = m.tiers.Of(s.Points)
	return s
}

// add counts one question's result into the roll-up. A question shared by n OPDs gives
// each OPD 1/n of its micro-points; the k-th owner (k from 0) gets one more micro-point
// while the remainder lasts, so the shares add up exactly to the question's points.
func (r *Rollup) add(res *QuestionResult, k, n int) {
	part := func(x micro) micro {
		p := x / micro(n)
		if micro(k) < x%micro(n) {
			p++
		}
		return p
	}
	r.Questions++
	r.max += part(res.max)
	r.claimed += part(res.claimed)
	r.evidenced += part(res.evidenced)
	r.verified += part(res.verified)
	if res.Answered {
		r.Answered++
	} else if res.Skipped {
		r.Skipped++
	}
	if res.EvidenceMissing {
		r.EvidenceMissing++
	}
	if res.Answered && res.Review.SentBack() {
		r.SentBack++
	}
}

// merge adds an indicator's roll-up into its cluster's, or a cluster's into the total.
func (r *Rollup) merge(o *Rollup) {
	r.Questions += o.Questions
	r.max += o.max
	r.claimed += o.claimed
	r.evidenced += o.evidenced
	r.verified += o.verified
	r.Answered += o.Answered
	r.Skipped += o.Skipped
	r.EvidenceMissing += o.EvidenceMissing
	r.SentBack += o.SentBack
}

// finish turns micro-points into points.
func (r *Rollup) finish() {
	r.Max, r.Claimed, r.Evidenced, r.Verified = points(r.max), points(r.claimed), points(r.evidenced), points(r.verified)
	r.Missing = points(r.max - r.evidenced)
}
