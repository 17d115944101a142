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

// Rendered is a digest ready to send: its text and its chart (PNG).
type Rendered struct {
	Digest digest.Digest
	Text   string
	Chart  []byte
}

// Render renders d's text and chart.
func Render(d digest.Digest) (Rendered, error) {
	png, err := chart.Render(ChartInput(d))
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{Digest: d, Text: digest.DigestText(d), Chart: png}, nil
}

// chartLabels are short cluster labels that fit under a bar.
var chartLabels = map[string]string{"KELEMBAGAAN": "Lembaga"}

// ChartInput turns a digest into the chart's numbers: the same numbers as its text.
func ChartInput(d digest.Digest) chart.Input {
	now := d.At.In(d.Region.Location())
	in := chart.Input{
		Title: d.Region.Name + " - " + idfmt.DateID(now),
	}
	var max float64
	for _, c := range d.Clusters {
		l, ok := chartLabels[c.Code]
		if !ok {
			l = c.Code
		}
		in.Clusters = append(in.Clusters, chart.Bar{Label: l, Claimed: c.Claimed, Evidenced: c.Evidenced, Max: c.Max})
		max += c.Max
	}
	if max == 0 {
		max = 1000
	}
	in.Total = chart.Bar{
		Label: fmt.Sprintf("Total: diklaim %s, berbukti %s / %s",
			scoring.FormatPoints(d.Scores.Claimed), scoring.FormatPoints(d.Scores.Evidenced),
			strings.TrimSuffix(scoring.FormatPoints(max), ",0")),
		Claimed: d.Scores.Claimed, Evidenced: d.Scores.Evidenced, Max: max,
	}
	for _, t := range d.Thresholds {
		in.Thresholds = append(in.Thresholds, chart.Threshold{Label: t.Name, Points: t.Points})
	}
	return in
}

// DigestAttachment is the chart as an outbound photo.
func DigestAttachment(r Rendered) *conversations.Attachment {
	return &conversations.Attachment{Name: "ringkasan-" + r.Digest.Region.Code + ".png", MIME: "image/png", Photo: true, Data: r.Chart}
}
