package answering

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/klabot/klabot/conversations"
)

// The person's progress kept between steps (issue 18, item 1). Reading the current
// answers, skips and sent-back questions of the person's OPD on every step was most of a
// step's Postgres work; instead the dialogue keeps a copy in the Redis state
// (State.Cache), updates it with the step's own writes, and checks it with one cheap
// read: the OPD's progress stamp (StampedAnswers), which every change to what the OPD's
// people see bumps in its own transaction — a colleague's answer or evidence on a
// question the OPD answers, a review decision, a re-import, a roster change — and each
// of the person's own answer and evidence writes bumps by exactly one. The copy is used
// when its stamp, counting the person's own writes, is the OPD's stamp now; otherwise
// (missing, another OPD or year, another list of questions, a change by anyone else) it
// is rebuilt from Postgres in one round trip.

// StampedAnswers is an Answers that also tells whether a copy of the progress is current
// (storage/postgres). Its ReopenedQuestions must be what Deps.Reviews says.
type StampedAnswers interface {
	// ProgressStamp returns the OPD's progress stamp for the year (0: never bumped).
	ProgressStamp(ctx context.Context, opdID int64, year int) (int64, error)
	// StampedProgress returns Progress, the OPD's ReopenedQuestions and the stamp, read
	// before them, in one round trip.
	StampedProgress(ctx context.Context, region string, year int, personID, opdID int64, codes []string) (Progress, []conversations.Reopened, int64, error)
}

// cacheProgress names the copy in State.Cache.
const cacheProgress = "progress"

// progressCopy is the copy of a person's progress kept in State.Cache. The narrative of
// an answer is not kept (the dialogue does not show it).
type progressCopy struct {
	OPD   int64  `json:"opd"`
	Year  int    `json:"year"`
	Codes uint64 `json:"codes"` // the person's question codes, hashed
	// Stamp is the OPD's progress stamp the copy is current at, the person's own writes
	// since it was read counted in.
	Stamp    int64                    `json:"stamp"`
	Answers  map[string]AnswerInfo    `json:"answers,omitempty"`
	Skipped  []string                 `json:"skipped,omitempty"`
	Reopened []conversations.Reopened `json:"reopened,omitempty"` // the person's questions, most recent first
}

// stamped returns the store that keeps the copy checkable, or nil when the dialogue reads
// the progress on every step (no such store, no OPD, reviews read elsewhere).
func (ans *Dialogue) stamped(l *questionList) StampedAnswers {
	sa, ok := ans.d.Answers.(StampedAnswers)
	if !ok || l.opd == nil {
		return nil
	}
	if ans.d.Reviews != nil {
		if rs, ok := ans.d.Reviews.(StampedAnswers); !ok || rs != sa {
			return nil
		}
	}
	return sa
}

func hashCodes(codes []string) uint64 {
	h := fnv.New64a()
	for _, c := range codes {
		h.Write([]byte(c))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// loadStamped fills l.progress and the sent-back questions from the copy when it is
// current, else from Postgres (and keeps the new copy).
func (ans *Dialogue) loadStamped(ctx context.Context, r *step, l *questionList, sa StampedAnswers, codes []string) error {
	year, sum := r.State.Year, hashCodes(codes)
	if c, ok := readCopy(r.State); ok && !l.reread && c.OPD == l.opd.ID && c.Year == year && c.Codes == sum {
		// The stamp the step read with its record (before any write of the step: a
		// copy the step wrote to has moved on and is read again), else a read of its own.
		stamp, read := conversations.ProgressStampRead(ctx, l.opd.ID, year)
		if !read {
			var err error
			if stamp, err = sa.ProgressStamp(ctx, l.opd.ID, year); err != nil {
				return fmt.Errorf("progress: %w", err)
			}
		}
		if stamp == c.Stamp {
			l.useCopy(c)
			return nil
		}
	}
	p, list, stamp, err := sa.StampedProgress(ctx, r.Person.RegionCode, year, r.Person.ID, l.opd.ID, codes)
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	c := &progressCopy{OPD: l.opd.ID, Year: year, Codes: sum, Stamp: stamp, Answers: map[string]AnswerInfo{}}
	for code, a := range p.Answers {
		a.Narrative = ""
		c.Answers[code] = a
	}
	for code := range p.Skipped {
		c.Skipped = append(c.Skipped, code)
	}
	slices.Sort(c.Skipped)
	for _, ro := range list {
		if _, ok := l.pos[ro.Code]; ok {
			c.Reopened = append(c.Reopened, ro)
		}
	}
	l.reread = false
	l.useCopy(c)
	l.keep(r)
	return nil
}

func readCopy(st *conversations.State) (*progressCopy, bool) {
	raw, ok := st.Cache[cacheProgress]
	if !ok {
		return nil, false
	}
	var c progressCopy
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, false
	}
	if c.Answers == nil {
		c.Answers = map[string]AnswerInfo{}
	}
	return &c, true
}

// useCopy makes c the step's progress: l.progress and the sent-back questions are
// copies of it that the step may change freely; c changes only with the step's writes.
func (l *questionList) useCopy(c *progressCopy) {
	p := &Progress{Answers: make(map[string]AnswerInfo, len(c.Answers)), Skipped: make(map[string]bool, len(c.Skipped))}
	for code, a := range c.Answers {
		p.Answers[code] = a
	}
	for _, code := range c.Skipped {
		p.Skipped[code] = true
	}
	l.progress = p
	l.reopened, l.reopenedNotes = nil, map[string]conversations.Reopened{}
	for _, ro := range c.Reopened {
		if i, ok := l.pos[ro.Code]; ok {
			l.reopened = append(l.reopened, i)
			l.reopenedNotes[ro.Code] = ro
		}
	}
	l.copy = c
}

// keep stores the copy in the state (saved with it after the step commits).
func (l *questionList) keep(r *step) {
	if l.copy == nil {
		return
	}
	raw, err := json.Marshal(l.copy)
	if err != nil {
		return
	}
	if r.State.Cache == nil {
		r.State.Cache = map[string]json.RawMessage{}
	}
	r.State.Cache[cacheProgress] = raw
}

// The step's own writes, applied to the copy as Postgres now has them.

// savedAnswer: a new version of code (info as SaveAnswer returned it) is current, and
// no longer sent back; the write bumped the stamp once.
func (l *questionList) savedAnswer(r *step, code string, info AnswerInfo) {
	if l.copy == nil {
		return
	}
	info.Narrative = ""
	l.copy.Answers[code] = info
	l.copy.Reopened = slices.DeleteFunc(l.copy.Reopened, func(ro conversations.Reopened) bool { return ro.Code == code })
	l.copy.Stamp++
	l.keep(r)
}

// addedEvidence: added files are on answer version id; the write bumped the stamp once.
func (l *questionList) addedEvidence(r *step, id int64, added int) {
	if l.copy == nil {
		return
	}
	for code, a := range l.copy.Answers {
		if a.ID == id {
			a.Evidence += added
			l.copy.Answers[code] = a
		}
	}
	l.copy.Stamp++
	l.keep(r)
}

// skipped: the person skipped code (no stamp: nobody else sees a skip).
func (l *questionList) skipped(r *step, code string) {
	if l.copy == nil || slices.Contains(l.copy.Skipped, code) {
		return
	}
	l.copy.Skipped = append(l.copy.Skipped, code)
	slices.Sort(l.copy.Skipped)
	l.keep(r)
}

// forgetCopy drops the copy: the next step reads the progress again (a write whose
// effect on it the step cannot tell).
func (l *questionList) forgetCopy(r *step) {
	l.copy = nil
	delete(r.State.Cache, cacheProgress)
}
