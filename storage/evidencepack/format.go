package evidencepack

import (
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
)

// answerText shows an answer value as a person reads it (conversations.FormatValue, in
// Indonesian); a file question says whether its files are in the pack.
func answerText(q scoring.Question, a *review.Item) string {
	if a == nil {
		return ""
	}
	if q.Type == scoring.File {
		if len(a.Evidence) > 0 {
			return "(berkas terlampir)"
		}
		return "(belum ada berkas)"
	}
	return conversations.FormatValue(q, a.Value, "id")
}

// stateText is the review state shown in the workbook.
func stateText(a *review.Item) string {
	if a == nil {
		return "belum dijawab"
	}
	return a.State.Label()
}
