package conversations

import (
	"context"
	"time"

	"github.com/klabot/klabot/scoring"
)

// People finds people and where to write to them (the foundation's postgres.Store).
type People interface {
	// PersonByIdentity returns the person bound to a chat identity, or ErrNotFound.
	PersonByIdentity(ctx context.Context, channel Channel, externalID string) (Person, error)
	Person(ctx context.Context, id int64) (Person, error)
	Identities(ctx context.Context, personID int64) ([]Identity, error)
}

// Invites redeems invite codes (the foundation's postgres.Store).
type Invites interface {
	// RedeemInvite binds id to the invited person; ErrNotFound, ErrExpired, or
	// ErrConflict when the code was used already.
	RedeemInvite(ctx context.Context, code string, id Identity) (Person, error)
}

// Regions reads regions and their OPDs (the foundation's postgres.Store).
type Regions interface {
	Region(ctx context.Context, code string) (Region, error)
	OPDs(ctx context.Context, regionCode string) ([]OPD, error)
}

// Instruments reads an evaluation year's instrument (the foundation's postgres.Store).
type Instruments interface {
	Instrument(ctx context.Context, year int) (*scoring.Instrument, error)
}

// Delivery identifies the platform message that caused a write: the idempotency record
// (inbound_messages) and the "via which message" of answers and evidence.
type Delivery struct {
	Channel   Channel
	ChatID    string
	MessageID string
	At        time.Time
}

// AnswerWrite is one new answer version.
type AnswerWrite struct {
	Msg          Delivery
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
	Evidence   []EvidenceFile
	Checkpoint *State // saved in the same transaction when not nil
}

// EvidenceFile is one stored file attached to an answer version.
type EvidenceFile struct {
	BlobKey string // sha256 hex
	MIME    string
	Size    int64
	Name    string
}

// EvidenceWrite attaches files to an answer version.
type EvidenceWrite struct {
	Msg        Delivery
	AnswerID   int64
	PersonID   int64
	Files      []EvidenceFile
	Checkpoint *State
	// ExpectCurrent attaches the files only while AnswerID is its question's current
	// version (checked under the per-question lock): a colleague's newer version makes
	// the write fail with ErrConflict, nothing written, instead of leaving the files on
	// a version that no longer counts.
	ExpectCurrent bool
}

// NarrativeWrite sets the short narrative of an answer version the person is still on.
type NarrativeWrite struct {
	Msg        Delivery
	AnswerID   int64
	Text       string
	Checkpoint *State
}

// SkipWrite remembers that a person skipped a question (a gap, never an answer).
type SkipWrite struct {
	Msg          Delivery
	RegionCode   string
	Year         int
	QuestionCode string
	PersonID     int64
	Checkpoint   *State
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

// Answers writes and reads answers, evidence and skips (storage/postgres). Each write is
// one transaction that also records Msg in inbound_messages; a message recorded before
// makes the write fail with ErrDuplicate and change nothing.
type Answers interface {
	SaveAnswer(ctx context.Context, w AnswerWrite) (AnswerInfo, error)
	// AddEvidence attaches files to an answer version and returns the blob keys it
	// attached: content the version already has is not attached again.
	AddEvidence(ctx context.Context, w EvidenceWrite) ([]string, error)
	SetNarrative(ctx context.Context, w NarrativeWrite) error
	SaveSkip(ctx context.Context, w SkipWrite) error
	// Progress returns the current answers of codes in the region and year, and which of
	// them personID skipped.
	Progress(ctx context.Context, regionCode string, year int, personID int64, codes []string) (Progress, error)
}

// Checkpoints keep the last dialogue position per person in Postgres (storage/postgres).
type Checkpoints interface {
	SaveCheckpoint(ctx context.Context, personID int64, s State) error
	// Checkpoint returns the saved state, or ErrNotFound.
	Checkpoint(ctx context.Context, personID int64) (State, error)
}

// States keeps live dialogue states and the fast dedupe marks (storage/redis).
type States interface {
	// Load returns the state saved under key (nil when there is none) and whether the
	// delivery (channel, messageID) was handled before. An empty messageID is never seen.
	Load(ctx context.Context, key string, channel Channel, messageID string) (*State, bool, error)
	// Save stores the state (nil: leave it) and marks the delivery as handled.
	Save(ctx context.Context, key string, s *State, channel Channel, messageID string) error
	// Forget deletes the state under key (the next step rebuilds it from the checkpoint).
	Forget(ctx context.Context, key string) error
}

// Locker serialises the steps of one chat across processes (storage/redis).
type Locker interface {
	// Lock waits (bounded) for the chat's lock; unlock releases it only if still held.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// Blobs stores evidence content-addressed (storage/blob).
type Blobs interface {
	// Put stores data and returns its key, the hex SHA-256; storing the same bytes twice
	// keeps one copy.
	Put(ctx context.Context, data []byte) (string, error)
}

// Transactor runs fn in one Postgres transaction carried by ctx (postgres.Store.InTx):
// every store call fn makes with that ctx joins it, and so does every outbound message
// Outbox queues with it.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Outbox queues outbound messages durably (bot/outbound.Outbox). Called with a ctx
// carrying a transaction (Transactor), the message is inserted in that transaction: it
// is sent exactly when the change that caused it commits.
type Outbox interface {
	Enqueue(ctx context.Context, out Outbound) error
}

// outboxMany is an Outbox that also queues several messages in one insert.
type outboxMany interface {
	EnqueueMany(ctx context.Context, outs ...Outbound) error
}

// Deliveries records handled platform messages (inbound_messages, storage/postgres). With
// Deps.Tx every step of a known person records its message first, in the step's
// transaction, so that a message handled before changes nothing and queues nothing even
// when Redis lost its dedupe mark — also for steps that write nothing else (a correction,
// status, a navigation). Strangers' messages are not recorded (nothing is stored for them).
type Deliveries interface {
	// RecordDelivery records d in ctx's transaction; ErrDuplicate when it was recorded
	// before.
	RecordDelivery(ctx context.Context, d Delivery) error
}

type recordedKey struct{}

// withRecorded marks ctx: the step recorded d already, so the step's writes do not
// record it again.
func withRecorded(ctx context.Context, d Delivery) context.Context {
	return context.WithValue(ctx, recordedKey{}, d)
}

// Recorded reports whether the step running with ctx recorded its message d already
// (Deliveries): a write of the step then leaves its own record out.
func Recorded(ctx context.Context, d Delivery) bool {
	r, ok := ctx.Value(recordedKey{}).(Delivery)
	return ok && d.MessageID != "" && r.Channel == d.Channel && r.MessageID == d.MessageID
}
