package conversations

import (
	"context"
	"slices"
	"strings"
)

// cmdScore answers /nilai (alias /tier): the region's score, tier and biggest gaps for
// heads, coordinators and admins; the OPD's own progress for focal points. Arguments
// shape the answer ("/nilai nindya" is the route to Nindya).
func (e *Engine) cmdScore(ctx context.Context, r *Request) ([]Outbound, error) {
	if e.d.Scorer == nil {
		return e.replies(r, ScoreUnavailableText), nil
	}
	text, err := e.d.Scorer.Reply(ctx, r.Person, r.Args)
	if err != nil {
		return nil, err
	}
	return e.replies(r, text), nil
}

// freeScore answers plain score questions ("berapa nilai kita?", "kita peringkat apa?",
// "apa yang kurang untuk nindya?", "OPD mana yang belum?") from people who are not in the
// middle of a question. A head's message is always for this handler: what it does not
// understand gets the command list with the questions it can answer. Others' messages
// pass on unless they are a question recognisably about the score: coordinators also
// write notes ("nilai buktinya kurang"), which must not be taken for a question.
func (e *Engine) freeScore(ctx context.Context, r *Request, text string) ([]Outbound, bool, error) {
	if e.d.Scorer == nil {
		return nil, false, nil
	}
	_, ok := ParseScoreQuestion(text, e.d.Scorer.Tiers)
	if r.Person.Role != RoleHead && (!ok || !looksLikeQuestion(text)) {
		return nil, false, nil
	}
	if !ok {
		outs, err := e.cmdHelp(ctx, r)
		if err == nil && len(outs) > 0 {
			outs[0].Text += "\n\n" + ScoreQuestionsHint()
		}
		return outs, true, err
	}
	reply, err := e.d.Scorer.Reply(ctx, r.Person, text)
	if err != nil {
		return nil, true, err
	}
	return e.replies(r, reply), true, nil
}

// questionStarts are first words of Indonesian and English questions.
var questionStarts = []string{"berapa", "apa", "apakah", "bagaimana", "gimana", "kita", "mana", "opd",
	"sudah", "sekarang", "what", "how", "which", "where"}

// looksLikeQuestion reports whether text is phrased as a question: it has a question mark
// or starts with a question word.
func looksLikeQuestion(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	if strings.Contains(t, "?") {
		return true
	}
	first, _, _ := strings.Cut(t, " ")
	return slices.Contains(questionStarts, strings.Trim(first, ".,!"))
}
