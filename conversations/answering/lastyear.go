package answering

import (
	"context"
	"fmt"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/parse"
	"github.com/klabot/klabot/scoring"
)

// Last year's answers as suggestions (issue 17, item 2). A year imported --from the last
// one links the questions asked the same way; an open question of such a year shows the
// region's answer of last year ("Tahun lalu: Ya, 2 file — pakai lagi?") with a button
// (pick questions) or the word "pakai". Reusing it saves last year's value as this year's
// answer with last year's files attached by blob key: linked, not copied. Any other
// answer is an answer anew.

// CarriedAnswer is last year's answer to a question asked the same way this year.
type CarriedAnswer struct {
	FromYear int           `json:"from_year"`
	FromCode string        `json:"from_code"`
	Value    scoring.Value `json:"value"`
	// Files are the evidence of last year's current version. Reusing them means writing
	// new evidence rows with the same blob keys (content-addressed): linked, not copied.
	Files []conversations.EvidenceFile `json:"files"`
}

// Carried reads last year's answers of a year imported --from the last one
// (storage/postgres).
type Carried interface {
	// CarriedFrom returns the earlier year the questions of year are linked to, or 0.
	CarriedFrom(ctx context.Context, year int) (int, error)
	// CarriedAnswers returns last year's current answers of the region with their
	// evidence, by question code of year, for the questions linked to last year.
	CarriedAnswers(ctx context.Context, region string, year int) (map[string]CarriedAnswer, error)
}

// reuseWords take the suggestion when typed.
var reuseWords = map[string]bool{"pakai": true, "pakai lagi": true, "pakai jawaban tahun lalu": true,
	"reuse": true, "use again": true}

// loadCarried reads last year's answers once per step, for a year linked to one.
func (ans *Dialogue) loadCarried(ctx context.Context, r *step, l *questionList) error {
	if ans.d.Carried == nil || l.ix.from == 0 {
		return nil
	}
	c, err := ans.d.Carried.CarriedAnswers(ctx, r.Person.RegionCode, r.State.Year)
	if err != nil {
		return fmt.Errorf("last year's answers: %w", err)
	}
	l.carried = c
	return nil
}

// suggestion is last year's answer to offer for question code: only while it has no
// answer this year.
func (l *questionList) suggestion(code string) (CarriedAnswer, bool) {
	if _, answered := l.progress.Answers[code]; answered {
		return CarriedAnswer{}, false
	}
	c, ok := l.carried[code]
	return c, ok
}

// suggestionLine says last year's answer under an open question ("" when there is none).
func (ans *Dialogue) suggestionLine(r *step, l *questionList, i int) string {
	q := l.refs[i].Q
	c, ok := l.suggestion(q.Code)
	if !ok {
		return ""
	}
	v := conversations.FormatValue(q, c.Value, r.Lang())
	if len(c.Files) > 0 {
		v = r.T(msgLastYearFiles, v, len(c.Files))
	}
	return "\n\n" + r.T(msgLastYear, c.FromYear, v)
}

// reuseButton takes the suggestion; it follows the answer options, whose numbers stay.
func (r *step) reuseButton(code string) conversations.Button {
	return conversations.Button{Label: r.T(msgBtnReuse), Data: "n:reuse:" + code}
}

// wantsReuse reports whether the typed text takes the suggestion for the open question.
func wantsReuse(r *step, l *questionList, i int) bool {
	_, ok := l.suggestion(l.refs[i].Q.Code)
	return ok && reuseWords[parse.Normalize(r.In.Text)]
}

// reuse saves last year's answer to question i as this year's, its files linked.
func (ans *Dialogue) reuse(ctx context.Context, r *step, l *questionList, i int) ([]conversations.Outbound, error) {
	c, ok := l.suggestion(l.refs[i].Q.Code)
	if !ok {
		return ans.staleButton(ctx, r)
	}
	r.reused = len(c.Files)
	if r.reused > 0 {
		r.savedNote = r.T(msgReusedFiles, c.FromYear, r.reused)
	} else {
		r.savedNote = r.T(msgReused, c.FromYear)
	}
	return ans.saveAnswer(ctx, r, l, i, c.Value, append([]conversations.EvidenceFile(nil), c.Files...))
}
