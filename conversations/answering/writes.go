package answering

import (
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
)

// The records of the dialogue's writes and reads (Answers; storage/postgres implements
// them). Each write carries the platform message that caused it (Msg: the idempotency
// record) and, when set, the checkpoint saved in the same transaction.

// AnswerWrite is one new answer version.
type AnswerWrite struct {
	Msg          conversations.Delivery
	RegionCode   string
	Year         int
	QuestionCode string
	Value        scoring.Value
	PersonID     int64
	// CarryEvidence copies the previous version's evidence to the new version (a new
	// value keeps its proof unless the person replaces it).
	CarryEvidence bool
	// KeepRecent, with CarryEvidence, copies only the files sent for the previous version
	// itself or after the question's latest decision when that sent it back (what ganti
	// keeps): files carried from earlier versions, and those a coordinator sent back, stay
	// behind.
	KeepRecent bool
	// CarryFrom, with CarryEvidence, names the version whose evidence is copied (a person
	// making their own answer current again over a colleague's); 0: the previous version.
	CarryFrom int64
	// CheckVersion makes the write expect ExpectVersion, the version of the question's
	// current answer the person saw (0: none yet). When another version was saved since
	// (a colleague answered meanwhile), nothing is written and SaveAnswer fails with
	// ErrConflict. Checked under the per-question lock, so two writers cannot both pass.
	CheckVersion  bool
	ExpectVersion int
	// Evidence files that arrive with the answer (file questions).
	Evidence   []conversations.EvidenceFile
	Checkpoint *conversations.State // saved in the same transaction when not nil
}

// EvidenceWrite attaches files to an answer version.
type EvidenceWrite struct {
	Msg        conversations.Delivery
	AnswerID   int64
	PersonID   int64
	Files      []conversations.EvidenceFile
	Checkpoint *conversations.State
	// ExpectCurrent attaches the files only while AnswerID is its question's current
	// version (checked under the per-question lock): a colleague's newer version makes
	// the write fail with ErrConflict, nothing written, instead of leaving the files on
	// a version that no longer counts.
	ExpectCurrent bool
}

// NarrativeWrite sets the short narrative of an answer version the person is still on.
type NarrativeWrite struct {
	Msg        conversations.Delivery
	AnswerID   int64
	Text       string
	Checkpoint *conversations.State
}

// SkipWrite remembers that a person skipped a question (a gap, never an answer).
type SkipWrite struct {
	Msg          conversations.Delivery
	RegionCode   string
	Year         int
	QuestionCode string
	PersonID     int64
	Checkpoint   *conversations.State
}

// AnswerInfo is the current answer of one question.
type AnswerInfo struct {
	ID         int64
	Version    int
	Value      scoring.Value
	Narrative  string
	PersonID   int64
	PersonName string
	At         time.Time
	Evidence   int // files attached to this version
}

// Progress is the state of a set of questions in a region and year.
type Progress struct {
	Answers map[string]AnswerInfo // current answer by question code
	Skipped map[string]bool       // skipped by the person asked about and not answered since
}
