package answering

import (
	"context"

	"github.com/klabot/klabot/conversations"
)

// pending is what the dialogue waits for that a command or a file sent meanwhile must
// not leave unseen (conversations.Pending): the choice between a colleague's answer and
// the person's, the question about a sent-back answer's old files, the files of an
// answer, its narrative. The engine reminds it after such a step (reprompt, with its
// options), or says what was dropped when the step left it. An open question without
// a choice waits for nothing in this sense: it is where the person is, and lanjut shows it.
func (ans *Dialogue) pending(ctx context.Context, req *conversations.Request) (conversations.Pending, bool) {
	r := &step{Request: req}
	code := r.State.Question
	switch {
	case code == "":
		return conversations.Pending{}, false
	case r.clashing():
		return conversations.Pending{Key: "clash:" + code, Dropped: ans.clashDropped(ctx, r)}, true
	case r.State.Mode == conversations.ModeEvidence && r.State.OldFiles > 0:
		return conversations.Pending{Key: "old:" + code, Dropped: r.T(msgOldKept)}, true
	case r.State.Mode == conversations.ModeEvidence:
		return conversations.Pending{Key: "evidence:" + code}, true
	case r.State.Mode == conversations.ModeNarrative:
		return conversations.Pending{Key: "narrative:" + code}, true
	}
	return conversations.Pending{}, false
}

// clashDropped says what stands when the person leaves the choice between their answer
// and a colleague's without choosing: the colleague's answer, theirs unsaved (or saved
// with its files as an older version).
func (ans *Dialogue) clashDropped(ctx context.Context, r *step) string {
	c := r.State.Clash
	mine, theirs := c.Mine.Text, c.Theirs.Text
	if l, err := ans.progressOf(ctx, r); err == nil {
		if i, ok := l.pos[c.Code]; ok {
			q := l.refs[i].Q
			mine, theirs = conversations.FormatValue(q, c.Mine, r.Lang()), conversations.FormatValue(q, c.Theirs, r.Lang())
		}
	}
	if c.From != 0 {
		return r.T(msgClashLeftSaved, c.Code, c.By, theirs, mine)
	}
	return r.T(msgClashLeft, c.Code, mine, c.By, theirs)
}
