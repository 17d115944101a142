package digest

import (
	"fmt"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/scoring"
	"sort"
	"strings"
	"time"
)

// Digest is what a coordinator's morning message says about one region. It is built from
// one scoring report (the same numbers `klabot score` prints) plus the region's progress
// data, and rendered by DigestText; DigestChart draws its picture.
type Digest struct {
	Region conversations.Region
	At     time.Time // when the numbers were read; shown in the region's own zone
	Scores DigestScores
	// Tier is the predikat of the headline score ("" = belum berpredikat); TierBasis names
	// that score in Indonesian ("berbukti").
	Tier, TierBasis string
	NextTier        string  // "" at the top band
	ToNextTier      float64 // points of the headline score still missing to NextTier
	// Previous are the scores of the latest snapshot before today (nil when none), taken
	// on the local day PreviousDay.
	Previous       *DigestScores
	PreviousDay    time.Time
	Clusters       []DigestCluster
	OPDs           []DigestOPD
	Gaps           []DigestGap // biggest gaps, ranked by points
	QuickWins      []DigestGap // answered but evidence missing or sent back for revision
	PendingReviews int         // answers waiting for a coordinator's review
	Unreachable    []string    // names of people who blocked the bot
	Unregistered   []string    // names of people who never bound a chat
	Thresholds     []DigestThreshold

	// PendingReviewPoints is what approving the pending reviews would add to the
	// verified score (conversations.PointsWaitingReview).
	PendingReviewPoints float64
}

// DigestScores are the three scores at one moment.
type DigestScores struct {
	Claimed   float64 `json:"claimed"`
	Evidenced float64 `json:"evidenced"`
	Verified  float64 `json:"verified"`
}

// DigestCluster is one cluster's points of its maximum.
type DigestCluster struct {
	Code, Name         string
	Claimed, Evidenced float64
	Max                float64
}

// DigestOPD is one OPD's progress.
type DigestOPD struct {
	Code, Name      string
	Answered, Total int
	LastAnswer      *time.Time // nil when the OPD never answered
	ClaimedPoints   float64
	MaxPoints       float64
}

// DigestGap is one question's missing points and who can close the gap.
type DigestGap struct {
	QuestionCode string
	Text         string
	Points       float64
	OPD          string // responsible OPD name(s)
	Reason       string // "bukti belum ada", "perlu perbaikan", "belum dijawab"
}

// DigestThreshold is a tier's lower bound (Pratama at 500).
type DigestThreshold struct {
	Name   string
	Points float64
}

// Limits that keep the digest phone-sized.
const (
	digestMaxOPDs  = 5
	digestMaxGaps  = 3
	digestMaxNames = 5
)

// completion is an OPD's answered share (1 when it has nothing to answer).
func (o DigestOPD) completion() float64 {
	if o.Total == 0 {
		return 1
	}
	return float64(o.Answered) / float64(o.Total)
}

// Laggards returns the OPDs with open questions, the least complete first, then the
// longest silent (never answered counts as the longest).
func (d Digest) Laggards() []DigestOPD {
	var out []DigestOPD
	for _, o := range d.OPDs {
		if o.Answered < o.Total {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := out[i].completion(), out[j].completion()
		if ci != cj {
			return ci < cj
		}
		li, lj := out[i].LastAnswer, out[j].LastAnswer
		switch {
		case li == nil && lj != nil:
			return true
		case li != nil && lj == nil:
			return false
		case li != nil && lj != nil && !li.Equal(*lj):
			return li.Before(*lj)
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// sinceID says how long ago the last answer was, in local calendar days.
func sinceID(last *time.Time, now time.Time) string {
	if last == nil {
		return tr("id", dgNeverAnswered)
	}
	switch d := idfmt.DaysBetween(last.In(now.Location()), now); {
	case d <= 0:
		return tr("id", dgAnsweredToday)
	case d == 1:
		return tr("id", dgAnsweredYesterday)
	default:
		return tr("id", dgAnsweredDaysAgo, d)
	}
}

// shortName cuts a long OPD name ("Dinas Pemberdayaan Perempuan, Perlindungan Anak, ...")
// to fit a phone line.
func shortName(name string) string {
	if r := []rune(name); len(r) > 40 {
		return strings.TrimSpace(string(r[:39])) + "…"
	}
	return name
}

// DigestText renders the digest as one short Indonesian message.
func DigestText(d Digest) string {
	now := d.At.In(d.Region.Location())
	var b strings.Builder
	b.WriteString(tr("id", dgHead, d.Region.Name, idfmt.DayDate(now), idfmt.Clock(now)))

	s := d.Scores
	b.WriteString(tr("id", dgScores,
		idfmt.Points(s.Claimed), idfmt.Points(s.Evidenced), idfmt.Points(s.Verified)))
	tier := d.Tier
	if tier == "" {
		tier = conversations.NoTierLabel("id")
	}
	basis := ""
	if d.TierBasis != "" {
		basis = " (" + d.TierBasis + ")"
	}
	if d.NextTier != "" {
		b.WriteString(tr("id", dgTierToNext, basis, tier, idfmt.Points(d.ToNextTier), d.NextTier))
	} else {
		b.WriteString(tr("id", dgTier, basis, tier))
	}
	if y := d.Previous; y != nil {
		since := tr("id", dgYesterday)
		if idfmt.DaysBetween(d.PreviousDay, now) != 1 {
			since = idfmt.DateID(d.PreviousDay)
		}
		b.WriteString(tr("id", dgSince, since,
			idfmt.Delta(s.Claimed-y.Claimed), idfmt.Delta(s.Evidenced-y.Evidenced), idfmt.Delta(s.Verified-y.Verified)))
	} else {
		b.WriteString(tr("id", dgSinceNone))
	}

	if len(d.Clusters) > 0 {
		b.WriteString(tr("id", dgClusters))
		for _, c := range d.Clusters {
			fmt.Fprintf(&b, "• %s %s/%s (%s)\n", scoring.ClusterLabel(c.Code, c.Name),
				idfmt.Points(c.Evidenced), idfmt.Max(c.Max), idfmt.Points(c.Claimed))
		}
	}

	lag := d.Laggards()
	if len(lag) == 0 {
		if len(d.OPDs) > 0 {
			b.WriteString(tr("id", dgAllDone))
		}
	} else {
		b.WriteString(tr("id", dgLagging, len(lag)))
		for i, o := range lag {
			if i == digestMaxOPDs {
				b.WriteString(tr("id", dgMoreOPDs, len(lag)-i))
				break
			}
			fmt.Fprintf(&b, "• %s %d/%d (%s) · %s\n", shortName(o.Name), o.Answered, o.Total,
				idfmt.Percent(o.completion()), sinceID(o.LastAnswer, now))
		}
	}

	writeGaps(&b, tr("id", dgQuickWins), d.QuickWins)
	writeGaps(&b, tr("id", dgBiggestGaps), d.Gaps)

	b.WriteString("\n")
	if d.PendingReviews > 0 && d.PendingReviewPoints > 0 {
		b.WriteString(tr("id", dgPendingPoints, d.PendingReviews, idfmt.Points(d.PendingReviewPoints)))
	} else if d.PendingReviews > 0 {
		b.WriteString(tr("id", dgPending, d.PendingReviews))
	} else {
		b.WriteString(tr("id", dgPendingNone))
	}
	if len(d.Unreachable) > 0 {
		b.WriteString(tr("id", dgUnreachable, namesID(d.Unreachable, digestMaxNames)))
	}
	if len(d.Unregistered) > 0 {
		b.WriteString(tr("id", dgUnregistered, len(d.Unregistered), namesID(d.Unregistered, digestMaxNames)))
	}
	if d.Region.Deadline != nil {
		b.WriteString(tr("id", dgDeadline, deadlineID(*d.Region.Deadline, now)))
	} else {
		b.WriteString(tr("id", dgDeadlineNone))
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeGaps(b *strings.Builder, title string, gaps []DigestGap) {
	if len(gaps) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", title)
	for i, g := range gaps {
		if i == digestMaxGaps {
			break
		}
		text := g.Text
		if r := []rune(text); len(r) > 60 {
			text = strings.TrimSpace(string(r[:58])) + "…"
		}
		line := tr("id", dgGapLine, g.QuestionCode, text, idfmt.Points(g.Points))
		if g.OPD != "" {
			line += " · " + g.OPD
		}
		if g.Reason != "" {
			line += " (" + g.Reason + ")"
		}
		b.WriteString(line + "\n")
	}
}

// OPDProgressText renders the `opd` command's answer: every OPD's completion, laggards first.
func OPDProgressText(d Digest) string {
	now := d.At.In(d.Region.Location())
	var b strings.Builder
	b.WriteString(tr("id", dgProgressHead, d.Region.Name, idfmt.DateID(now)))
	if len(d.OPDs) == 0 {
		b.WriteString(tr("id", dgNoOPDs))
		return b.String()
	}
	lag := d.Laggards()
	done := len(d.OPDs) - len(lag)
	for _, o := range lag {
		fmt.Fprintf(&b, "• %s (%s) %d/%d (%s) · %s\n", shortName(o.Name), o.Code, o.Answered, o.Total,
			idfmt.Percent(o.completion()), sinceID(o.LastAnswer, now))
	}
	if done > 0 {
		b.WriteString(tr("id", dgOPDsDone, done))
	}
	b.WriteString(tr("id", dgNudgeHint))
	return b.String()
}
