package digest

import (
	"github.com/klabot/klabot/conversations"
	"slices"
	"strings"
	"time"

	"github.com/klabot/klabot/scoring"
)

// NewDigest builds a region's digest from its scoring report (the numbers `klabot score`
// prints), the region's non-score facts and its latest earlier snapshot (nil when none).
func NewDigest(region conversations.Region, at time.Time, rep *scoring.Report, facts DigestFacts, prev *DigestSnapshot) Digest {
	d := Digest{
		Region: region,
		At:     at,
		Scores: DigestScores{
			Claimed:   rep.Claimed.Points,
			Evidenced: rep.Evidenced.Points,
			Verified:  rep.Verified.Points,
		},
		TierBasis:      headlineName(rep.Headline),
		ToNextTier:     rep.PointsToNextTier,
		PendingReviews: facts.PendingReviews,
		Unreachable:    facts.Unreachable,
		Unregistered:   facts.Unregistered,
	}
	d.PendingReviewPoints = conversations.PointsWaitingReview(*rep)
	if rep.Tier.Ranked() {
		d.Tier = rep.Tier.Name
	}
	if rep.NextTier != nil {
		d.NextTier = rep.NextTier.Name
	}
	if prev != nil {
		s := prev.Scores
		d.Previous, d.PreviousDay = &s, prev.Day
	}
	for _, c := range rep.Clusters {
		d.Clusters = append(d.Clusters, DigestCluster{Code: c.Code, Name: c.Name, Claimed: c.Claimed, Evidenced: c.Evidenced, Max: c.Max})
	}
	for _, o := range rep.OPDs {
		if o.Code == "" { // questions no OPD answers for: nobody to chase
			continue
		}
		op := DigestOPD{Code: o.Code, Name: o.Name, Answered: o.Answered, Total: o.Questions,
			ClaimedPoints: o.Claimed, MaxPoints: o.Max}
		if t, ok := facts.LastAnswerByOPD[o.Code]; ok {
			op.LastAnswer = &t
		}
		d.OPDs = append(d.OPDs, op)
	}
	var rest []DigestGap
	for _, g := range rep.Gaps {
		dg := DigestGap{QuestionCode: g.QuestionCode, Text: g.QuestionText, Points: g.Points,
			OPD: opdNames(g.OPDs), Reason: conversations.GapReason(g.Kind)}
		if g.Kind.QuickWin() {
			if len(d.QuickWins) < digestMaxGaps {
				d.QuickWins = append(d.QuickWins, dg)
			}
			continue
		}
		rest = append(rest, dg)
	}
	// Report.Gaps rank by kind first; the biggest gaps are by points alone.
	slices.SortStableFunc(rest, func(a, b DigestGap) int {
		switch {
		case scoring.Tenths(a.Points) > scoring.Tenths(b.Points):
			return -1
		case scoring.Tenths(a.Points) < scoring.Tenths(b.Points):
			return 1
		}
		return 0
	})
	if len(rest) > digestMaxGaps {
		rest = rest[:digestMaxGaps]
	}
	d.Gaps = rest
	for _, t := range scoring.DefaultTiers {
		if t.Ranked() {
			d.Thresholds = append(d.Thresholds, DigestThreshold{Name: t.Name, Points: t.Min})
		}
	}
	return d
}

// headlineName is the Indonesian name of the score the tier is stated on.
func headlineName(h string) string {
	switch h {
	case "claimed":
		return "diklaim"
	case "evidenced":
		return "berbukti"
	case "verified":
		return "terverifikasi"
	}
	return h
}

// opdNames names the responsible OPDs by code: short on a phone, and the word the
// coordinator types in `ingatkan KODE_OPD`.
func opdNames(refs []scoring.OPDRef) string {
	names := make([]string, 0, len(refs))
	for _, r := range refs {
		n := r.Code
		if n == "" {
			n = r.Name
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// AddInputFacts fills the facts that follow from a region's score input and report: the
// last answer on each OPD's questions and the answers waiting for review (current
// answers with no review, as the review queue counts them).
func AddInputFacts(f *DigestFacts, in *conversations.ScoreInput, rep *scoring.Report) {
	at := make(map[string]time.Time, len(in.Answers))
	for _, a := range in.Answers {
		if a.Answered {
			at[a.QuestionCode] = a.At
		}
	}
	f.LastAnswerByOPD = map[string]time.Time{}
	f.PendingReviews = 0
	for _, r := range rep.Results {
		if !r.Answered {
			continue
		}
		if r.Review == scoring.ReviewNone {
			f.PendingReviews++
		}
		t := at[r.Code]
		for _, o := range r.OPDs {
			if last, ok := f.LastAnswerByOPD[o.Code]; !ok || t.After(last) {
				f.LastAnswerByOPD[o.Code] = t
			}
		}
	}
}
