package conversations

import (
	"encoding/json"
	"time"

	"github.com/klabot/klabot/scoring"
)

// Mode is where a person is in the dialogue.
type Mode string

// The dialogue modes.
const (
	ModeIdle      Mode = ""          // no question open: new, stopped or finished
	ModeQuestion  Mode = "question"  // State.Question was asked and waits for an answer
	ModeEvidence  Mode = "evidence"  // the answer is saved; files for State.AnswerID are welcome
	ModeNarrative Mode = "narrative" // files are done; an optional short narrative is welcome
)

// ModeReviewNote is the dialogue mode of a coordinator writing the note of a revision
// request or a rejection; the mode they were in is restored afterwards.
const ModeReviewNote Mode = "review_note"

// State is one chat's dialogue position, kept in Redis as JSON (TTL refreshed on every
// write) and checkpointed in Postgres so that it can be rebuilt when Redis loses it.
type State struct {
	PersonID int64  `json:"person_id"`
	Year     int    `json:"year"`
	Mode     Mode   `json:"mode"`
	Question string `json:"question,omitempty"` // current (or, when stopped, last) question code
	// AnswerID is the answer version files and the narrative attach to (evidence and
	// narrative modes). 0 after a rebuild: the current version of Question is used.
	AnswerID int64 `json:"answer_id,omitempty"`
	Files    int   `json:"files,omitempty"` // files received in this evidence step
	// OldFiles are files carried over from an answer a coordinator sent back: the person
	// is asked whether to keep them or start without them (0: nothing asked).
	OldFiles int `json:"old_files,omitempty"`
	// SeenFor and Seen: the version of question SeenFor's current answer the person was
	// last shown (0: none). An answer to it expects that version (AnswerWrite.ExpectVersion).
	SeenFor string `json:"seen_for,omitempty"`
	Seen    int    `json:"seen,omitempty"`
	// Answered is the value of AnswerID (evidence and narrative modes): whether a
	// colleague's newer version says the same.
	Answered *scoring.Value `json:"answered,omitempty"`
	// Clash is a colleague's answer saved after the one the person saw or gave, while
	// they choose which one stands.
	Clash   *Clash `json:"clash,omitempty"`
	Stopped bool   `json:"stopped,omitempty"`
	// Held are files sent before answering question HeldFor (photos first, then "ya"):
	// stored in the blob store, attached to the answer when it comes, dropped (with a
	// word) when the person moves to another question.
	Held    []EvidenceFile `json:"held,omitempty"`
	HeldFor string         `json:"held_for,omitempty"`
	// Listed is the message id of the step that last showed the person their numbered
	// list (daftar): the next message may pick from it by number. Cleared after any other
	// step.
	Listed string `json:"listed,omitempty"`
	// Extra holds other features' state by feature name (a review in progress, a
	// coordinator's pending invite ...). The engine keeps it as it is.
	Extra map[string]json.RawMessage `json:"extra,omitempty"`
	// Cache holds what features keep between steps instead of reading it again, by
	// feature name (the focal point's progress): kept in Redis with the state, never in
	// the checkpoint — each entry can be rebuilt from Postgres, and is whenever its
	// owner finds it missing or out of date.
	Cache     map[string]json.RawMessage `json:"cache,omitempty"`
	UpdatedAt time.Time                  `json:"updated_at"`
	// Since is when the dialogue last moved (position changed): a message sent before it
	// was meant for an earlier question (Engine.late). Zero in states from before it.
	Since time.Time `json:"since,omitzero"`
}

// position is what a checkpoint must remember to resume exactly.
func (s State) position() [7]any {
	return [7]any{s.Mode, s.Question, s.AnswerID, s.Stopped, len(s.Held), s.OldFiles, s.Clash != nil}
}

// Clone returns a deep enough copy for comparing before and after a step.
func (s *State) Clone() State {
	c := *s
	c.Held = append([]EvidenceFile(nil), s.Held...)
	c.Extra = cloneRaw(s.Extra)
	c.Cache = cloneRaw(s.Cache)
	return c
}

// Clash is a colleague's answer saved after the one the person saw or gave.
type Clash struct {
	Code string        `json:"code"`
	Mine scoring.Value `json:"mine"` // the person's answer
	// From is the person's saved version (evidence intake): choosing their own answer
	// makes it current again with its files. 0: not saved (the answer was refused).
	From    int64         `json:"from,omitempty"`
	Version int           `json:"version"` // the colleague's version
	Theirs  scoring.Value `json:"theirs"`
	By      string        `json:"by"`
	At      time.Time     `json:"at"`
}

func cloneRaw(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	c := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// ForCheckpoint is the state as a checkpoint keeps it: without Cache.
func (s State) ForCheckpoint() State {
	s.Cache = nil
	return s
}
