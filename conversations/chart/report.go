package chart

import (
	"fmt"
	"sort"

	"github.com/klabot/klabot/scoring"
)

// FromReport is the score picture of a scoring report: the numbers `klabot score`
// prints. title names the region and the date.
func FromReport(title string, rep scoring.Report) Input {
	in := Input{Title: title,
		Scores: []Score{{"diklaim", rep.Claimed.Points}, {"berbukti", rep.Evidenced.Points}, {"terverifikasi", rep.Verified.Points}},
	}
	in.Headline = fmt.Sprintf("%s · %s poin", rep.Tier.Name, formatPoints(rep.Evidenced.Points))
	if rep.NextTier != nil {
		in.Subline = fmt.Sprintf("Ke %s (%s) kurang %s poin berbukti", rep.NextTier.Name,
			formatPoints(rep.NextTier.Min), formatPoints(rep.PointsToNextTier))
	} else {
		in.Subline = "Predikat tertinggi tercapai"
	}
	for _, c := range rep.Clusters {
		in.Clusters = append(in.Clusters, Bar{Label: scoring.ClusterLabel(c.Code, c.Name), Claimed: c.Claimed, Evidenced: c.Evidenced, Max: c.Max})
	}
	max := rep.MaxPoints
	if max == 0 {
		max = 1000
	}
	in.Total = Bar{Label: fmt.Sprintf("Total berbukti %s dari %s", formatPoints(rep.Evidenced.Points), formatMax(max)),
		Claimed: rep.Claimed.Points, Evidenced: rep.Evidenced.Points, Max: max}
	for _, t := range scoring.DefaultTiers {
		if t.Ranked() {
			in.Thresholds = append(in.Thresholds, Threshold{Label: t.Name, Points: t.Min})
		}
	}
	return in
}

// MaxProgressRows bounds the OPD-progress picture to what a phone shows at once.
const MaxProgressRows = 10

// ProgressFromReport is the OPD-progress picture of a report: the OPDs with open
// questions, the least complete first, at most MaxProgressRows.
func ProgressFromReport(title, subtitle string, rep scoring.Report) ProgressInput {
	in := ProgressInput{Title: title, Subtitle: subtitle}
	var rows []scoring.Rollup
	for _, o := range rep.OPDs {
		if o.Code != "" && o.Answered < o.Questions {
			rows = append(rows, o)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		ci, cj := rows[i].Completion(), rows[j].Completion()
		if ci != cj {
			return ci < cj
		}
		return rows[i].Code < rows[j].Code
	})
	if len(rows) > MaxProgressRows {
		rows = rows[:MaxProgressRows]
	}
	for _, o := range rows {
		in.Rows = append(in.Rows, ProgressRow{Label: o.Code + " · " + o.Name, Answered: o.Answered, Total: o.Questions})
	}
	return in
}
