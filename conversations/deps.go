package conversations

import (
	"context"
	"time"
)

// People finds people and where to write to them (the foundation's postgres.Store).
type People interface {
	// PersonByIdentity returns the person bound to a chat identity, or ErrNotFound.
	PersonByIdentity(ctx context.Context, channel Channel, externalID string) (Person, error)
	Person(ctx context.Context, id int64) (Person, error)
	Identities(ctx context.Context, personID int64) ([]Identity, error)
}

// Regions reads regions and their OPDs (the foundation's postgres.Store).
type Regions interface {
	Region(ctx context.Context, code string) (Region, error)
	OPDs(ctx context.Context, regionCode string) ([]OPD, error)
}

// Delivery identifies the platform message that caused a write: the idempotency record
// (inbound_messages) and the "via which message" of answers and evidence.
type Delivery struct {
	Channel   Channel
	ChatID    string
	MessageID string
	At        time.Time
}

// EvidenceFile is one stored file attached to an answer version.
type EvidenceFile struct {
	BlobKey string // sha256 hex
	MIME    string
	Size    int64
	Name    string
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

// localOutbox is an Outbox for a caller that shows some chats itself (a console shows
// its own): Handle returns the messages to those chats, and queues only the others in
// the step's transaction.
type localOutbox interface {
	Local(to Address) bool
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

// StampedDeliveries is a Deliveries that reads, in the same round trip as the record, the
// progress stamp of an OPD's year (storage/postgres; see answering.StampedAnswers): the
// dialogue's copy of a focal point's progress is checked against it without a round trip
// of its own.
type StampedDeliveries interface {
	// RecordDeliveryStamp records d like RecordDelivery and returns the progress stamp
	// of (opdID, year), read after the record.
	RecordDeliveryStamp(ctx context.Context, d Delivery, opdID int64, year int) (int64, error)
}

type stampKey struct{}

type readStamp struct {
	opd   int64
	year  int
	stamp int64
}

// ProgressStampRead returns the progress stamp of (opdID, year) the step running with
// ctx read with its record (StampedDeliveries), before any write of the step.
func ProgressStampRead(ctx context.Context, opdID int64, year int) (int64, bool) {
	s, ok := ctx.Value(stampKey{}).(readStamp)
	if !ok || s.opd != opdID || s.year != year {
		return 0, false
	}
	return s.stamp, true
}
