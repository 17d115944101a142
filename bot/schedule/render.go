package schedule

import (
	"fmt"
	"strings"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/chart"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/scoring"
)

// Rendered is a digest ready to send: its text and its picture (PNG: the scores, and
// below them the OPDs that are behind).
type Rendered struct {
	Digest digest.Digest
	Text   string
	Chart  []byte
}

// Render renders d's text and picture.
func Render(d digest.Digest) (Rendered, error) {
	png, err := chart.RenderDigest(ChartInput(d), ProgressInput(d))
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{Digest: d, Text: digest.DigestText(d), Chart: png}, nil
}

// ChartInput turns a digest into the score picture: the same numbers as its text.
func ChartInput(d digest.Digest) chart.Input {
	now := d.At.In(d.Region.Location())
	in := chart.Input{
		Title:  d.Region.Name + " · " + idfmt.DateID(now),
		Scores: []chart.Score{{Label: "diklaim", Points: d.Scores.Claimed}, {Label: "berbukti", Points: d.Scores.Evidenced}, {Label: "terverifikasi", Points: d.Scores.Verified}},
	}
	tier := d.Tier
	if tier == "" {
		tier = scoring.NoTierName
	}
	in.Headline = fmt.Sprintf("%s · %s poin", tier, scoring.FormatPoints(d.Scores.Evidenced))
	if d.NextTier != "" {
		min := 0.0
		for _, t := range d.Thresholds {
			if t.Name == d.NextTier {
				min = t.Points
			}
		}
		in.Subline = fmt.Sprintf("Ke %s (%s) kurang %s poin berbukti", d.NextTier, scoring.FormatPoints(min), scoring.FormatPoints(d.ToNextTier))
	} else {
		in.Subline = "Predikat tertinggi tercapai"
	}
	var max float64
	for _, c := range d.Clusters {
		in.Clusters = append(in.Clusters, chart.Bar{Label: scoring.ClusterLabel(c.Code, c.Name), Claimed: c.Claimed, Evidenced: c.Evidenced, Max: c.Max})
		max += c.Max
	}
	if max == 0 {
		max = 1000
	}
	in.Total = chart.Bar{
		Label:   fmt.Sprintf("Total berbukti %s dari %s", scoring.FormatPoints(d.Scores.Evidenced), strings.TrimSuffix(scoring.FormatPoints(max), ",0")),
		Claimed: d.Scores.Claimed, Evidenced: d.Scores.Evidenced, Max: max,
	}
	for _, t := range d.Thresholds {
		in.Thresholds = append(in.Thresholds, chart.Threshold{Label: t.Name, Points: t.Points})
	}
	return in
}

// ProgressInput is the digest's "who is behind" picture: the OPDs with open questions,
// the least complete first.
func ProgressInput(d digest.Digest) chart.ProgressInput {
	now := d.At.In(d.Region.Location())
	in := chart.ProgressInput{Title: "Siapa yang tertinggal — " + d.Region.Name,
		Subtitle: "Pertanyaan terjawab per OPD, " + idfmt.DateID(now)}
	for _, o := range d.Laggards() {
		if len(in.Rows) == chart.MaxProgressRows {
			break
		}
		in.Rows = append(in.Rows, chart.ProgressRow{Label: o.Code + " · " + o.Name, Answered: o.Answered, Total: o.Total})
	}
	return in
}

// DigestAttachment is the chart as an outbound photo.
func DigestAttachment(r Rendered) *conversations.Attachment {
	return &conversations.Attachment{Name: "ringkasan-" + r.Digest.Region.Code + ".png", MIME: "image/png", Photo: true, Data: r.Chart}
}
