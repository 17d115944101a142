package headline

import (
	"context"
	"slices"
	"strings"

	"github.com/klabot/klabot/conversations"
)

// New returns the heads' score capability on scorer: /nilai (alias /tier) and plain
// score questions ("berapa nilai kita?"). A nil scorer turns both off politely.
func New(scorer *conversations.Scorer) conversations.Capability {
	h := &headline{scorer: scorer}
	return conversations.Capability{
		Name: "headline",
		Commands: []conversations.Command{
			{Rank: 90, Names: []string{"nilai", "tier", "skor", "score"}, Args: true, Run: h.cmdScore,
				Help: "nilai — nilai, predikat dan kekurangan terbesar", HelpEN: "tier — score, tier and biggest gaps"},
		},
		FreeText: h.freeScore,
	}
}

type headline struct {
	scorer *conversations.Scorer
}

// cmdScore answers /nilai (alias /tier): the region's score, tier and biggest gaps for
// heads, coordinators and admins; the OPD's own progress for focal points. Arguments
// shape the answer ("/nilai nindya" is the route to Nindya).
func (h *headline) cmdScore(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if h.scorer == nil {
		return r.Replies(ScoreUnavailableText), nil
	}
	text := r.Args
	if _, ok := ParseScoreQuestion(text, h.scorer.Tiers); !ok && text != "" && !strings.HasPrefix(strings.TrimSpace(r.In.Text), "/") {
		// "Nilai kita berapa?" starts with the command word: read the whole question.
		text = r.In.Text
	}
	text, err := Reply(ctx, h.scorer, r.Person, text)
	if err != nil {
		return nil, err
	}
	return r.Replies(text), nil
}

// freeScore answers plain score questions ("berapa nilai kita?", "kita peringkat apa?",
// "apa yang kurang untuk nindya?", "OPD mana yang belum?") from people who are not in the
// middle of a question. A head's message is always for this handler: what it does not
// understand gets the command list with the questions it can answer. Others' messages
// pass on unless they are a question recognisably about the score: coordinators also
// write notes ("nilai buktinya kurang"), which must not be taken for a question.
func (h *headline) freeScore(ctx context.Context, r *conversations.Request, text string) ([]conversations.Outbound, bool, error) {
	if h.scorer == nil {
		return nil, false, nil
	}
	_, ok := ParseScoreQuestion(text, h.scorer.Tiers)
	if r.Person.Role != conversations.RoleHead && (!ok || !looksLikeQuestion(text)) {
		return nil, false, nil
	}
	if !ok {
		outs, err := r.Help(ctx)
		if err == nil && len(outs) > 0 {
			outs[0].Text += "\n\n" + ScoreQuestionsHint()
		}
		return outs, true, err
	}
	reply, err := Reply(ctx, h.scorer, r.Person, text)
	if err != nil {
		return nil, true, err
	}
	return r.Replies(reply), true, nil
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
