package answering

import (
	"context"
	"errors"
	"fmt"
	"github.com/klabot/klabot/conversations"
	"slices"
)

// questionList is a person's questions in instrument order, with their progress.
type questionList struct {
	ix       *instrumentIndex
	opd      *conversations.OPD
	refs     []questionRef
	pos      map[string]int // code -> index in refs
	progress *Progress
	// reopened are indexes of questions a coordinator sent back (needs revision or
	// rejected) and not answered since, most recent first: they come before any other.
	reopened []int
	// reopenedNotes are the decisions behind reopened, by question code.
	reopenedNotes map[string]conversations.Reopened
	// carried are last year's answers by question code, in a year imported --from it.
	carried map[string]CarriedAnswer
	// copy is the progress as Postgres has it, kept in the state between steps
	// (progresscopy.go); nil when the progress is read on every step.
	copy *progressCopy
	// reread makes the next progressOf read Postgres, not the copy (refresh).
	reread bool
}

// questions returns the questions of the person's OPD (via its answers_for codes).
func (ans *Dialogue) questions(ctx context.Context, r *step) (*questionList, error) {
	if r.list != nil {
		return r.list, nil
	}
	ix, err := ans.instrument(ctx, r.State.Year)
	if errors.Is(err, conversations.ErrNotFound) {
		return nil, fmt.Errorf("instrument %d: %w", r.State.Year, conversations.ErrNoInstrument)
	}
	if err != nil {
		return nil, fmt.Errorf("instrument %d: %w", r.State.Year, err)
	}
	l := &questionList{ix: ix, pos: map[string]int{}}
	l.opd = findOPD(r.OPDs(), r.Person.OPDID)
	if l.opd == nil && r.Person.OPDID != 0 {
		// An OPD created after the region was cached (a roster import just now).
		if err := r.ReloadOPDs(ctx); err == nil {
			l.opd = findOPD(r.OPDs(), r.Person.OPDID)
		}
	}
	if l.opd != nil {
		for _, ref := range ix.all {
			if l.opd.Answers(ref.Q.OPDCodes) {
				l.pos[ref.Q.Code] = len(l.refs)
				l.refs = append(l.refs, ref)
			}
		}
	}
	r.list = l
	return l, nil
}

// progressOf loads the current answers and skips of the person's questions once per step.
func (ans *Dialogue) progressOf(ctx context.Context, r *step) (*questionList, error) {
	l, err := ans.questions(ctx, r)
	if err != nil {
		return nil, err
	}
	if l.progress != nil {
		return l, nil
	}
	codes := make([]string, len(l.refs))
	for i, ref := range l.refs {
		codes[i] = ref.Q.Code
	}
	if sa := ans.stamped(l); sa != nil {
		if err := ans.loadStamped(ctx, r, l, sa, codes); err != nil {
			return nil, err
		}
		if err := ans.loadCarried(ctx, r, l); err != nil {
			return nil, err
		}
		return l, nil
	}
	p, err := ans.d.Answers.Progress(ctx, r.Person.RegionCode, r.State.Year, r.Person.ID, codes)
	if err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	if p.Answers == nil {
		p.Answers = map[string]AnswerInfo{}
	}
	if p.Skipped == nil {
		p.Skipped = map[string]bool{}
	}
	l.progress = &p
	if err := ans.loadCarried(ctx, r, l); err != nil {
		return nil, err
	}
	if ans.d.Reviews != nil && l.opd != nil {
		list, err := ans.d.Reviews.ReopenedQuestions(ctx, r.Person.RegionCode, r.State.Year, l.opd.ID)
		if err != nil {
			return nil, fmt.Errorf("reopened questions: %w", err)
		}
		l.reopenedNotes = map[string]conversations.Reopened{}
		for _, ro := range list {
			if i, ok := l.pos[ro.Code]; ok {
				l.reopened = append(l.reopened, i)
				l.reopenedNotes[ro.Code] = ro
			}
		}
	}
	return l, nil
}

// refresh forgets the progress read in this step, so the next progressOf reads it again
// (a write found that a colleague had saved meanwhile).
func (l *questionList) refresh() {
	l.progress, l.reopened, l.reopenedNotes = nil, nil, nil
	l.copy, l.reread = nil, true
}

// sentBack reports whether the current answer of code was sent back by a coordinator
// and not answered since.
func (l *questionList) sentBack(code string) bool {
	_, ok := l.reopenedNotes[code]
	return ok
}

// settle notes that code was answered again: it is no longer sent back.
func (l *questionList) settle(code string) {
	delete(l.reopenedNotes, code)
	i, ok := l.pos[code]
	if !ok {
		return
	}
	l.reopened = slices.DeleteFunc(l.reopened, func(k int) bool { return k == i })
}

// open reports whether question i still waits for an answer (not answered, not skipped).
func (l *questionList) open(i int) bool {
	code := l.refs[i].Q.Code
	_, answered := l.progress.Answers[code]
	return !answered && !l.progress.Skipped[code]
}

// nextOpen returns the first question sent back for revision (other than from), else the
// first open question after index from (wrapping around), or -1.
func (l *questionList) nextOpen(from int) int {
	for _, i := range l.reopened { // sent back by a coordinator: first, except the one just left
		if i != from {
			return i
		}
	}
	n := len(l.refs)
	for k := 1; k <= n; k++ {
		i := (from + k) % n
		if from < 0 {
			i = k - 1
		}
		if l.open(i) {
			return i
		}
	}
	return -1
}

// counts summarises progress: answered, answered with evidence, skipped, not yet, and
// answered-but-missing-required-evidence.
type counts struct{ answered, evidenced, skipped, open, needEvidence int }

func (l *questionList) counts() counts {
	var c counts
	for _, ref := range l.refs {
		a, ok := l.progress.Answers[ref.Q.Code]
		switch {
		case ok:
			c.answered++
			if a.Evidence > 0 {
				c.evidenced++
			} else if ref.Q.NeedsEvidence(a.Value) {
				c.needEvidence++
			}
		case l.progress.Skipped[ref.Q.Code]:
			c.skipped++
		default:
			c.open++
		}
	}
	return c
}

// currentQuestion is the question of the state, when it exists in the instrument.
func (ans *Dialogue) currentQuestion(ctx context.Context, r *step) (questionRef, bool) {
	if r.State.Question == "" {
		return questionRef{}, false
	}
	l, err := ans.questions(ctx, r)
	if err != nil {
		return questionRef{}, false
	}
	i, ok := l.pos[r.State.Question]
	if !ok {
		return questionRef{}, false
	}
	return l.refs[i], true
}

func findOPD(opds []conversations.OPD, id int64) *conversations.OPD {
	for i := range opds {
		if id != 0 && opds[i].ID == id {
			return &opds[i]
		}
	}
	return nil
}

// reviewNote is the line under a reopened question saying why it came back ("" when it
// was not sent back).
func (l *questionList) reviewNote(code, lang string) string {
	ro, ok := l.reopenedNotes[code]
	if !ok {
		return ""
	}
	return "\n" + tr(lang, rvReopenedNote, ro.State.Label(), ro.Reviewer, ro.Note)
}
