package answering

import (
	"context"
	"errors"
	"fmt"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/parse"
	"github.com/klabot/klabot/scoring"
)

// A colleague's answer that came first (issue 14, item 6). Focal points of one OPD share
// its questions. An answer expects the version of the current answer the person was shown
// (State.SeenFor/Seen, AnswerWrite.ExpectVersion, checked under the store's per-question
// lock): when a colleague saved another one since, nothing is overwritten; the person is
// told who answered what and chooses to keep theirs or to save their own (State.Clash).
// Evidence intake is bound to the version the person gave (State.AnswerID): a file sent
// after a colleague saved a newer version goes to that newer version when it says the
// same, else to the person's own answer, and the person is told at once and asked.

// sawAnswer records the version of question i's current answer the person is shown.
func (r *step) sawAnswer(l *questionList, code string) {
	if code == r.State.Question {
		r.State.SeenFor, r.State.Seen = code, l.progress.Answers[code].Version
	}
}

// expectedVersion is the version an answer v to q must find current (check false: no
// check, the state does not know what the person saw), or clash when a colleague saved
// another answer since the person saw the question.
func (r *step) expectedVersion(l *questionList, q scoring.Question, v scoring.Value) (expect int, check, clash bool) {
	cur := l.progress.Answers[q.Code]
	if c := r.State.Clash; c != nil && c.Code == q.Code {
		return c.Version, true, c.Version != cur.Version // the person has seen the colleague's answer now
	}
	if r.State.SeenFor != q.Code {
		return 0, false, false
	}
	if cur.Version == r.State.Seen || cur.PersonID == r.Person.ID || cur.Value == v {
		// Unchanged, the person's own (another chat), or the same answer: nothing of a
		// colleague's is replaced.
		return cur.Version, true, false
	}
	return 0, false, true
}

// clashOnAnswer tells the person that a colleague's answer came first and asks which one
// stands. The person's answer and its files (a file question's, or sent first) wait in
// the state.
func (ans *Dialogue) clashOnAnswer(r *step, l *questionList, i int, v scoring.Value, files []conversations.EvidenceFile) []conversations.Outbound {
	q := l.refs[i].Q
	cur := l.progress.Answers[q.Code]
	if len(files) > 0 {
		if r.State.HeldFor != q.Code {
			r.State.Held = nil
		}
		r.State.Held, r.State.HeldFor = append(r.State.Held, files...), q.Code
	}
	r.State.Clash = &conversations.Clash{Code: q.Code, Mine: v, Version: cur.Version, Theirs: cur.Value, By: cur.PersonName, At: cur.At}
	r.State.SeenFor, r.State.Seen = q.Code, cur.Version
	return []conversations.Outbound{ans.askClash(r, q, "")}
}

// askClash asks which answer stands, below first (receipts) when given.
func (ans *Dialogue) askClash(r *step, q scoring.Question, first string) conversations.Outbound {
	c := r.State.Clash
	lang := r.Lang()
	mine, theirs := conversations.FormatValue(q, c.Mine, lang), conversations.FormatValue(q, c.Theirs, lang)
	at := idfmt.Clock(c.At.In(r.Region.Location()))
	var text string
	if c.From != 0 {
		text = r.T(msgClashEvidence, c.By, theirs, at, mine)
	} else {
		text = r.T(msgClashAnswer, c.By, at, theirs, mine)
	}
	if first != "" {
		text = first + "\n" + text
	}
	out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: text}
	return r.prompt(conversations.WithOptions(out, lang, []conversations.Button{
		{Label: r.T(msgBtnMine, mine), Data: "n:mine:" + c.Code},
		{Label: r.T(msgBtnTheirs, c.By, theirs), Data: "n:theirs:" + c.Code},
	}))
}

// clashing reports whether the person is choosing between their answer and a colleague's
// for the open question.
func (r *step) clashing() bool {
	return r.State.Clash != nil && r.State.Clash.Code == r.State.Question
}

// clashText reads the typed choice; anything else asks again.
func (ans *Dialogue) clashText(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	switch parse.Normalize(r.In.Text) {
	case "1", "simpan", "timpa", "punya saya", "jawaban saya", "mine":
		return ans.chooseMine(ctx, r)
	case "2", "pakai", "biarkan", "theirs":
		return ans.chooseTheirs(ctx, r)
	}
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	return []conversations.Outbound{ans.askClash(r, l.refs[l.pos[r.State.Question]].Q, r.T(msgClashFirst))}, nil
}

// chooseMine saves the person's answer over the colleague's they have now seen: as an
// answer (it was refused), or by making their saved version current again with its files.
func (ans *Dialogue) chooseMine(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	c := r.State.Clash
	i, ok := l.pos[c.Code]
	if !ok {
		r.State.Clash = nil
		return ans.reprompt(ctx, r)
	}
	if r.State.Mode == conversations.ModeQuestion {
		return ans.saveAnswer(ctx, r, l, i, c.Mine, nil)
	}
	q := l.refs[i].Q
	if cur := l.progress.Answers[q.Code]; cur.Version != c.Version { // yet another one meanwhile
		r.State.Clash.Version, r.State.Clash.Theirs, r.State.Clash.By, r.State.Clash.At = cur.Version, cur.Value, cur.PersonName, cur.At
		return []conversations.Outbound{ans.askClash(r, q, "")}, nil
	}
	cp := *r.State
	cp.Clash = nil
	info, err := ans.d.Answers.SaveAnswer(ctx, AnswerWrite{Msg: r.Delivery(), RegionCode: r.Person.RegionCode, Year: r.State.Year,
		QuestionCode: q.Code, Value: c.Mine, PersonID: r.Person.ID, CarryEvidence: true, CarryFrom: c.From,
		CheckVersion: true, ExpectVersion: c.Version, Checkpoint: &cp})
	if errors.Is(err, conversations.ErrConflict) {
		return ans.clashAgain(ctx, r, q)
	}
	if err != nil {
		return nil, fmt.Errorf("own answer %s again: %w", q.Code, err)
	}
	r.Checkpointed()
	if info.PersonName == "" {
		info.PersonName = r.Person.Name
	}
	l.savedAnswer(r, q.Code, info)
	l.progress.Answers[q.Code] = info
	mine := c.Mine
	r.State.Clash, r.State.AnswerID, r.State.Answered = nil, info.ID, &mine
	first := r.T(msgMineAgain, conversations.FormatValue(q, c.Mine, r.Lang()), info.Evidence)
	return append(r.Replies(first), ans.evidencePrompt(r, l, i)), nil
}

// clashAgain re-reads the question's answer after a write found another version, and
// asks again with it.
func (ans *Dialogue) clashAgain(ctx context.Context, r *step, q scoring.Question) ([]conversations.Outbound, error) {
	r.list.refresh()
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	cur := l.progress.Answers[q.Code]
	c := *r.State.Clash
	c.Version, c.Theirs, c.By, c.At = cur.Version, cur.Value, cur.PersonName, cur.At
	r.State.Clash = &c
	r.State.SeenFor, r.State.Seen = q.Code, cur.Version
	return []conversations.Outbound{ans.askClash(r, q, "")}, nil
}

// chooseTheirs keeps the colleague's answer and goes on to the next question (files the
// person sent first for their own answer are dropped with a word; files already attached
// stay on the person's version).
func (ans *Dialogue) chooseTheirs(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	c := r.State.Clash
	r.State.Clash = nil
	i, ok := l.pos[c.Code]
	if !ok {
		return ans.reprompt(ctx, r)
	}
	q := l.refs[i].Q
	return ans.advance(ctx, r, r.T(msgTheirsKept, c.By, conversations.FormatValue(q, c.Theirs, r.Lang())))
}

// overtaken checks the version evidence intake is bound to against the question's current
// answer. It returns the version files and "selesai" should use now, and a clash when a
// colleague saved a different answer since (the person is asked; files stay on their own
// version). A newer version of the person's own, or with the same answer, takes over
// (note says so when it is a colleague's).
func (ans *Dialogue) overtaken(r *step, l *questionList) (use int64, note string, clash bool) {
	code := r.State.Question
	cur, ok := l.progress.Answers[code]
	mineID := r.State.AnswerID
	if mineID == 0 || !ok || cur.ID == mineID {
		return mineID, "", false
	}
	if c := r.State.Clash; c != nil && c.Code == code && c.Version == cur.Version {
		return mineID, "", true // asked already
	}
	value := cur.Value
	if cur.PersonID == r.Person.ID || r.State.Answered == nil {
		// The person's own newer version (another chat), or a state from before Answered:
		// the current version, as after a rebuild.
		r.State.Answered = &value
		return cur.ID, "", false
	}
	ref := l.refs[l.pos[code]]
	if *r.State.Answered == cur.Value {
		return cur.ID, r.T(msgSameAnswered, cur.PersonName, conversations.FormatValue(ref.Q, cur.Value, r.Lang())), false
	}
	r.State.Clash = &conversations.Clash{Code: code, Mine: *r.State.Answered, From: mineID, Version: cur.Version, Theirs: cur.Value,
		By: cur.PersonName, At: cur.At}
	r.State.SeenFor, r.State.Seen = code, cur.Version
	return mineID, "", true
}
