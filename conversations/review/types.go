package review

import (
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
)

// The review's records: what storage/postgres reads and writes for it (Store), what the
// evidence pack and the web dashboard show. The review states themselves
// (conversations.ReviewState) and a question sent back (conversations.Reopened) are the
// core's: the focal point's dialogue shows them too.

// MaxNote is the longest review note accepted, in characters.
const MaxNote = 1000

// Filter narrows the review queue. Zero values mean "any".
type Filter struct {
	OPDCode      string // the answering OPD's code or a national OPD code of the question
	ClusterCode  string // KELEMBAGAAN, I .. V
	WithEvidence bool   // only answers with at least one evidence file
	QuestionCode string // only this question ("tinjau 1.3")
}

// File is one evidence file of an answer version.
type File struct {
	ID      int64
	BlobKey string // sha256 of the content, the blob store key
	MIME    string
	Size    int64
	Name    string // original name as sent
	At      time.Time
}

// Record is one recorded review decision.
type Record struct {
	ID           int64
	AnswerID     int64
	State        conversations.ReviewState
	Note         string
	ReviewerID   int64
	ReviewerName string
	At           time.Time
}

// Item is one answer version as a reviewer sees it: the question, who answered,
// the value, the narrative and the evidence, and its review state.
type Item struct {
	AnswerID         int64
	Version          int
	RegionCode       string
	Year             int
	QuestionCode     string
	QuestionText     string
	QuestionPosition int
	AnswerType       scoring.AnswerType
	EvidenceRequired bool
	IndicatorCode    string
	IndicatorName    string
	ClusterCode      string
	ClusterName      string

	Value      scoring.Value
	Narrative  string
	PersonID   int64 // who answered
	PersonName string
	OPDID      int64 // the answering person's OPD; 0 when they have none
	OPDCode    string
	OPDName    string
	AnsweredAt time.Time
	Channel    string

	// State is this version's state: its latest review, or Waiting (Edited when an
	// earlier version of the same question was reviewed).
	State conversations.ReviewState
	// LastNote is the note of the latest review (of this version, or of the previous one
	// when this version is waiting).
	LastNote string
	// PriorState is the latest review of the previous versions when this version is
	// Edited (what the OPD was answering to); empty otherwise.
	PriorState conversations.ReviewState
	Evidence   []File
	// Reviews of this version, oldest first (filled by Item and ReviewHistory).
	Reviews []Record
}

// Counts summarise a region's review for the digest.
type Counts struct {
	Waiting       int // current answers with no review yet
	Approved      int
	NeedsRevision int
	Rejected      int
}

// ClusterCode reads a cluster as people type it ("3", "III", "iii", "kelembagaan", "0")
// as its code; the review store normalizes Filter.ClusterCode with it too.
func ClusterCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch s {
	case "0", "K":
		return "KELEMBAGAAN"
	case "1":
		return "I"
	case "2":
		return "II"
	case "3":
		return "III"
	case "4":
		return "IV"
	case "5":
		return "V"
	}
	return s
}
