package answering

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/parse"
)

// cmdStart is "mulai" / "/start": resume for known people. (An invite code after it
// is for strangers; a known person gets told they are registered already.)
func (ans *Dialogue) cmdStart(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	if r.Args != "" {
		return r.Replies(r.T(msgAlreadyRegistered, r.Person.Name)), nil
	}
	if !r.Person.Role.Answers() || r.Person.OPDID == 0 {
		return r.Help(ctx)
	}
	if r.State.Mode == conversations.ModeEvidence || r.State.Mode == conversations.ModeNarrative {
		r.State.Stopped = true // "mulai" resumes; only "lanjut" during intake means "done"
	}
	return ans.cmdResume(ctx, r)
}

// cmdResume is "lanjut": exactly where the person stopped, or the first open question.
func (ans *Dialogue) cmdResume(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	if len(l.refs) == 0 {
		return r.Replies(r.T(msgNoQuestions)), nil
	}
	wasStopped := r.State.Stopped
	r.State.Stopped = false
	i, ok := l.pos[r.State.Question]
	switch {
	case ok && r.State.Mode == conversations.ModeEvidence && !wasStopped:
		return ans.finishEvidence(ctx, r) // "lanjut" after sending files means "done"
	case ok && r.State.Mode == conversations.ModeNarrative && !wasStopped:
		return ans.advance(ctx, r, "")
	case ok && (r.State.Mode == conversations.ModeEvidence || r.State.Mode == conversations.ModeNarrative):
		// Back after a pause: the question and its answer first, then what is asked.
		head, err := ans.evidenceHead(ctx, r, l, i)
		if err != nil {
			return nil, err
		}
		more, err := ans.reprompt(ctx, r)
		return append(head, more...), err
	case ok && len(l.reopened) > 0 && l.reopenedNotes[r.State.Question].Code == "":
		// A question sent back by a coordinator comes first, as its notice promised.
		return ans.ask(ctx, r, l.reopened[0])
	case ok:
		return ans.ask(ctx, r, i)
	}
	next := l.nextOpen(-1)
	if next < 0 {
		ans.moveTo(r, l, -1)
		return []conversations.Outbound{ans.summary(r, l)}, nil
	}
	return ans.ask(ctx, r, next)
}

// cmdSkip is "lewati": skip the open question (remembered as a gap) or the evidence
// and narrative steps.
func (ans *Dialogue) cmdSkip(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	if !ok || r.State.Mode == conversations.ModeIdle {
		return r.Replies(r.T(msgNothingToSkip)), nil
	}
	r.State.Stopped = false
	switch r.State.Mode {
	case conversations.ModeEvidence:
		first := ""
		if a := l.progress.Answers[r.State.Question]; l.refs[i].Q.NeedsEvidence(a.Value) && a.Evidence == 0 {
			first = r.T(msgEvidenceSkipped)
		} else if r.State.OldFiles > 0 {
			first = r.T(msgOldKept) // asked and skipped: the old files stay, and the person hears it
		}
		return ans.advance(ctx, r, first)
	case conversations.ModeNarrative:
		return ans.advance(ctx, r, "")
	}
	code := l.refs[i].Q.Code
	if _, answered := l.progress.Answers[code]; answered {
		// Already answered (by this person or a colleague): move on, no gap recorded.
		return ans.advance(ctx, r, "")
	}
	l.progress.Skipped[code] = true
	next := l.nextOpen(i)
	ans.moveTo(r, l, next)
	cp := *r.State
	if err := ans.d.Answers.SaveSkip(ctx, SkipWrite{Msg: r.Delivery(), RegionCode: r.Person.RegionCode,
		Year: r.State.Year, QuestionCode: code, PersonID: r.Person.ID, Checkpoint: &cp}); err != nil {
		return nil, fmt.Errorf("skip %s: %w", code, err)
	}
	l.skipped(r, code)
	r.Checkpointed()
	return ans.continueAt(r, l, next, r.T(msgSkipped, i+1)), nil
}

// cmdBack is "kembali": the previous question (or, right after an answer, the same
// question again to change it).
func (ans *Dialogue) cmdBack(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	if len(l.refs) == 0 {
		return r.Replies(r.T(msgNoQuestions)), nil
	}
	i, ok := l.pos[r.State.Question]
	switch {
	case !ok:
		return ans.ask(ctx, r, len(l.refs)-1) // finished: back to the last question
	case r.State.Mode == conversations.ModeEvidence || r.State.Mode == conversations.ModeNarrative:
		return ans.ask(ctx, r, i)
	case i == 0:
		return append(r.Replies(r.T(msgAtFirst)), ans.renderQuestion(r, l, 0)), nil
	}
	return ans.ask(ctx, r, i-1)
}

// cmdEdit is "ubah N" (or "ubah KODE"): open question N of the person's own list.
func (ans *Dialogue) cmdEdit(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, refusal := ans.pick(r, l, msgEditUsage)
	if refusal != nil {
		return refusal, nil
	}
	return ans.ask(ctx, r, i)
}

// pick reads "N", "#N" or a question code from r.Args: the index in the person's list,
// or a polite refusal (out of range, another OPD's question, nothing given).
func (ans *Dialogue) pick(r *step, l *questionList, usage key) (int, []conversations.Outbound) {
	arg := strings.TrimSpace(r.Args)
	if arg == "" {
		return 0, r.Replies(r.T(usage, len(l.refs)))
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(arg, "#")); err == nil {
		if n < 1 || n > len(l.refs) {
			return 0, r.Replies(r.T(msgEditRange, n, len(l.refs)))
		}
		return n - 1, nil
	}
	for code, i := range l.pos {
		if strings.EqualFold(code, arg) {
			return i, nil
		}
	}
	for code := range l.ix.byCode {
		if strings.EqualFold(code, arg) {
			return 0, r.Replies(r.T(msgOtherOPD, code, opdName(l)))
		}
	}
	return 0, r.Replies(r.T(usage, len(l.refs)))
}

// cmdEvidence is "bukti N": add files to the current answer of question N without
// answering it again (the quick win when an answer lacks its proof). Without N it is
// the open question, when that one is answered.
func (ans *Dialogue) cmdEvidence(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	if strings.TrimSpace(r.Args) != "" || !ok {
		var refusal []conversations.Outbound
		if i, refusal = ans.pick(r, l, msgEvidenceUsage); refusal != nil {
			return refusal, nil
		}
	}
	ref := l.refs[i]
	a, answered := l.progress.Answers[ref.Q.Code]
	if !answered {
		return r.Replies(r.T(msgEvidenceUnanswered, i+1)), nil
	}
	r.State.Mode = conversations.ModeEvidence
	r.State.Question = ref.Q.Code
	r.State.AnswerID = a.ID
	r.State.Files = 0
	r.State.OldFiles = 0
	r.State.Clash, r.State.Answered = nil, &a.Value
	r.State.Stopped = false
	head := r.T(msgEvidenceFor, i+1, len(l.refs), ref.Q.Code, ref.Q.Text, conversations.FormatValue(ref.Q, a.Value, r.Lang()))
	return append(r.Replies(head), ans.evidencePrompt(r, l, i)), nil
}

// evidenceHead shows question i with its answer, above an evidence or narrative
// prompt, so a person resuming knows what the files are for.
func (ans *Dialogue) evidenceHead(ctx context.Context, r *step, l *questionList, i int) ([]conversations.Outbound, error) {
	ref := l.refs[i]
	a, ok := l.progress.Answers[ref.Q.Code]
	if !ok {
		return nil, nil
	}
	return r.Replies(r.T(msgEvidenceFor, i+1, len(l.refs), ref.Q.Code, ref.Q.Text, conversations.FormatValue(ref.Q, a.Value, r.Lang()))), nil
}

// cmdList is "daftar": the open (and skipped) questions with their numbers.
func (ans *Dialogue) cmdList(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	var lines []string
	for i, ref := range l.refs {
		if _, ok := l.progress.Answers[ref.Q.Code]; ok {
			continue
		}
		line := fmt.Sprintf("%d. %s", i+1, conversations.Shorten(ref.Q.Text, 70))
		if l.progress.Skipped[ref.Q.Code] {
			line += " (" + r.T(msgSkippedMark) + ")"
		}
		lines = append(lines, line)
	}
	var back []string // sent back by a coordinator, with the note
	for _, i := range l.reopened {
		ref := l.refs[i]
		ro := l.reopenedNotes[ref.Q.Code]
		back = append(back, fmt.Sprintf("%d. %s — %s: \"%s\"", i+1, conversations.Shorten(ref.Q.Text, 70), ro.State.Label(), conversations.Shorten(ro.Note, 120)))
	}
	var proof []string
	for i, ref := range l.refs {
		if a, ok := l.progress.Answers[ref.Q.Code]; ok && ref.Q.NeedsEvidence(a.Value) && a.Evidence == 0 {
			proof = append(proof, fmt.Sprintf("%d. %s", i+1, conversations.Shorten(ref.Q.Text, 70)))
		}
	}
	if len(lines) == 0 && len(proof) == 0 && len(back) == 0 {
		return r.Replies(r.T(msgListEmpty)), nil
	}
	var parts []string
	if len(back) > 0 {
		parts = append(parts, r.T(msgListBack, len(back))+"\n"+strings.Join(capList(back, 30, r), "\n"))
	}
	if len(lines) > 0 {
		parts = append(parts, r.T(msgListHead, len(lines), len(l.refs))+"\n"+strings.Join(capList(lines, 30, r), "\n"))
	}
	if len(proof) > 0 {
		parts = append(parts, r.T(msgListProof, len(proof))+"\n"+strings.Join(capList(proof, 30, r), "\n"))
	}
	r.State.Listed = r.In.MessageID
	return r.Replies(strings.Join(parts, "\n\n") + "\n\n" + r.T(msgListPickHint)), nil
}

// listPick is the message right after the list (daftar) when it is a bare number of it:
// the question with that number is opened, as "ubah N". The list is what the person read
// last, and opening a question stores nothing; when the number would also have answered
// the open question (an option's number, a count), the reply says how to do that
// instead. ok is false for any other message, which is handled as usual.
func (ans *Dialogue) listPick(ctx context.Context, r *step) (out []conversations.Outbound, ok bool, err error) {
	if r.State.Listed == "" || r.State.Listed == r.In.MessageID {
		return nil, false, nil
	}
	text := strings.TrimPrefix(strings.TrimSpace(r.In.Text), "#")
	n, convErr := strconv.Atoi(text)
	if convErr != nil || text != strconv.Itoa(n) {
		return nil, false, nil
	}
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, false, err
	}
	if n < 1 || n > len(l.refs) {
		return nil, false, nil
	}
	var also string
	if cur, open := l.pos[r.State.Question]; open && r.State.Mode == conversations.ModeQuestion && cur != n-1 {
		if _, perr := parse.ParseAnswerWith(l.refs[cur].Q, text, r.parseOptions()); perr == nil {
			also = r.T(msgListPickAnswer, text, cur+1, cur+1)
		}
	}
	r.Args = text
	out, err = ans.cmdEdit(ctx, r)
	if err != nil {
		return nil, false, err
	}
	head := r.T(msgListPicked, n)
	if also != "" {
		head += "\n" + also
	}
	return append(r.Replies(head), out...), true, nil
}

// forgetList drops the list marker after every step but the one that showed the list.
func forgetList(r *conversations.Request) {
	if r.State.Listed != "" && r.State.Listed != r.In.MessageID {
		r.State.Listed = ""
	}
}

// cmdStatus is "status": the OPD's progress and the deadline.
func (ans *Dialogue) cmdStatus(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	c := l.counts()
	text := r.T(msgStatus, opdName(l), r.Region.Name, c.answered, len(l.refs), c.evidenced, c.needEvidence, c.skipped, c.open)
	if n := len(l.reopened); n > 0 {
		first := l.refs[l.reopened[0]].Q.Code
		text += "\n" + r.T(msgStatusBack, n, first)
	}
	if dl := ans.deadlineLine(r); dl != "" {
		text += "\n" + dl
	}
	if i, ok := l.pos[r.State.Question]; ok {
		text += "\n" + r.T(msgStatusAt, i+1)
	}
	return r.Replies(text), nil
}

// deadlineLine says the region's deadline and the days left, in the region's zone.
func (ans *Dialogue) deadlineLine(r *step) string {
	if r.Region.Deadline == nil {
		return ""
	}
	d := *r.Region.Deadline
	loc := r.Region.Location()
	today := r.Now.In(loc)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	start := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	days := int(math.Round(day.Sub(start).Hours() / 24))
	date := idfmt.Date(d, r.Lang())
	switch {
	case days < 0:
		return r.T(msgDeadlinePast, date)
	case days == 0:
		return r.T(msgDeadlineToday, date)
	}
	return r.T(msgDeadline, date, days)
}

// cmdStop is "berhenti": pause where the person is; "lanjut" resumes right there.
func (ans *Dialogue) cmdStop(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	r.State.Stopped = true
	if i, ok := ans.positionOf(ctx, r); ok {
		return r.Replies(r.T(msgStopped, i+1)), nil
	}
	return r.Replies(r.T(msgStoppedIdle)), nil
}

func (ans *Dialogue) positionOf(ctx context.Context, r *step) (int, bool) {
	l, err := ans.questions(ctx, r)
	if err != nil {
		return 0, false
	}
	i, ok := l.pos[r.State.Question]
	return i, ok
}

// idleText answers text from someone not in a question.
func (ans *Dialogue) idleText(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	if r.State.Stopped {
		return r.Replies(r.T(msgPaused)), nil
	}
	if out, ok, err := ans.listPick(ctx, r); ok || err != nil {
		return out, err
	}
	l, err := ans.questions(ctx, r)
	if err != nil {
		return nil, err
	}
	if len(l.refs) == 0 {
		return r.Help(ctx)
	}
	return r.Replies(r.T(msgIdleHint)), nil
}
