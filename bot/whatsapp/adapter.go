package whatsapp

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/conversations"
)

// Config tunes an Adapter.
type Config struct {
	// DigestGroups are the group JIDs ("120363...@g.us") klabot takes part in: the groups
	// that receive digests. Messages from every other group are ignored. Defaults to none.
	DigestGroups []string
	// MaxFileBytes is the largest file downloaded on arrival; a larger one is handed to the
	// engine undownloaded, so that it refuses it by its declared size. Defaults to 20 MB.
	MaxFileBytes int64
	// DownloadTimeout bounds one media download. Defaults to 2 minutes (slow networks).
	DownloadTimeout time.Duration
	// MenuTTL is how long a numbered menu can be answered by its number. Defaults to 7 days.
	MenuTTL time.Duration
	// MediaRetryWait is how long a download that failed with an expired path (403, 404,
	// 410, no URL) waits for the phone to upload the media again. Defaults to 30 seconds.
	MediaRetryWait time.Duration
	// UndecryptableWait is how long klabot waits for the phone to resend a message it
	// could not decrypt before it tells the person. Defaults to 2 minutes.
	UndecryptableWait time.Duration
	// SendTimeout bounds whatsmeow's wait for the server's answer to one send; it must be
	// shorter than the delivery timeout around Deliver. Defaults to 45 seconds.
	SendTimeout time.Duration
	// TypingPerChar and TypingMax shape the typing indicator before a reply: the reply's
	// length times TypingPerChar (at least 20 characters' worth), at most TypingMax.
	// TypingPerChar 0 turns it off. Default to none and 3 seconds.
	TypingPerChar, TypingMax time.Duration
}

func (c *Config) defaults() {
	if c.MaxFileBytes <= 0 {
		c.MaxFileBytes = 20 << 20
	}
	if c.DownloadTimeout <= 0 {
		c.DownloadTimeout = 2 * time.Minute
	}
	if c.MenuTTL <= 0 {
		c.MenuTTL = 7 * 24 * time.Hour
	}
	if c.MediaRetryWait <= 0 {
		c.MediaRetryWait = 30 * time.Second
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 45 * time.Second
	}
	if c.TypingMax <= 0 {
		c.TypingMax = 3 * time.Second
	}
	if c.UndecryptableWait <= 0 {
		c.UndecryptableWait = 2 * time.Minute
	}
}

// Submitter queues an inbound message behind earlier messages of the same chat
// (dispatch.Dispatcher).
type Submitter interface {
	Submit(ctx context.Context, in conversations.Inbound, done func(error)) error
}

// Adapter is the WhatsApp channel: the whatsmeow event handler (EventHandler), the wrapper
// that prepares inbound messages in the dispatcher's worker before the engine sees them
// (Wrap), and the outbound transport (Deliver).
type Adapter struct {
	client Client
	menus  MenuStore
	log    *slog.Logger
	cfg    Config

	mu         sync.Mutex
	sub        Submitter
	st         Status
	groups     []string             // digest groups: the configured ones plus SetDigestGroups
	seenGroups map[string]bool      // ignored groups already logged
	phonebook  Phonebook            // nil: no lookups; every adapter text in Indonesian
	bindPhones bool                 // bind chats by the roster's phone numbers
	checked    map[string]time.Time // senders looked up in the phonebook, when
	pending    map[string]meta      // by message id: what handling it needs beyond the Inbound
	inflight   map[string]bool      // message ids submitted and not handled yet
	seen       map[types.MessageID]bool
	journal    Journal
	seal       *sealer
	retries    map[types.MessageID]chan *events.MediaRetry // media retries awaited
	pacer      *Pacer
}

// meta is what the adapter keeps of a message while it is handled: where it came from in
// WhatsApp's own addressing (for its read receipt), the adapter's own answer for messages
// the engine cannot read (notice), and the sender's LID identity when their phone number
// is known too (to link the two).
type meta struct {
	chat, sender types.JID
	at           time.Time
	notice       string
	lid          string
}

// New returns an Adapter on client. menus keeps each chat's last numbered menu.
func New(client Client, menus MenuStore, log *slog.Logger, cfg Config) *Adapter {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Adapter{client: client, menus: menus, log: log, cfg: cfg, groups: cfg.DigestGroups, seenGroups: map[string]bool{},
		pending: map[string]meta{}, inflight: map[string]bool{}, seen: map[types.MessageID]bool{}, retries: map[types.MessageID]chan *events.MediaRetry{}}
}

// SetDigestGroups replaces the groups klabot takes part in besides Config.DigestGroups
// (the regions' digest chats on WhatsApp, which coordinators can change at any time).
func (a *Adapter) SetDigestGroups(groups []string) {
	all := slices.Clone(a.cfg.DigestGroups)
	for _, g := range groups {
		if !slices.Contains(all, g) {
			all = append(all, g)
		}
	}
	a.mu.Lock()
	a.groups = all
	a.mu.Unlock()
}

// SetClient replaces the WhatsApp client, or removes it (nil) while this process does
// not hold the session: deliveries then fail as temporary, so the sender retries them.
func (a *Adapter) SetClient(c Client) {
	a.mu.Lock()
	a.client = c
	a.mu.Unlock()
}

func (a *Adapter) currentClient() Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.client
}

// SetSubmitter sets where EventHandler queues inbound messages (the dispatcher, which is
// built after the adapter because it calls the adapter's Wrap).
func (a *Adapter) SetSubmitter(s Submitter) {
	a.mu.Lock()
	a.sub = s
	a.mu.Unlock()
}

// HandleEvent is the handler to register with whatsmeow's
// AddEventHandlerWithSuccessStatus (with SynchronousAck and the decrypted-event buffer
// on). It runs inside whatsmeow's receive loop, so it only converts, records and queues:
// downloads and the engine run in the dispatcher's workers. It answers false — no ack, so
// WhatsApp delivers the message again — only when an incoming message could not be
// recorded durably. ctx bounds the recording and queueing.
func (a *Adapter) HandleEvent(ctx context.Context, evt any) bool {
	switch e := evt.(type) {
	case *events.Message:
		return a.onMessage(ctx, e)
	case *events.UndecryptableMessage:
		a.onUndecryptable(ctx, e)
	case *events.MediaRetry:
		a.onMediaRetry(e)
	case *events.Connected:
		a.observe(evt)
		// What an earlier process recorded and never handled goes now, behind nothing.
		go func() {
			if _, err := a.Replay(context.WithoutCancel(ctx), time.Now()); err != nil {
				a.log.Error("whatsapp: replay unhandled messages", "err", err)
			}
		}()
	default:
		a.observe(evt)
	}
	return true
}

// EventHandler returns HandleEvent as a plain whatsmeow event handler (acks are then not
// tied to recording).
func (a *Adapter) EventHandler(ctx context.Context) func(evt any) {
	return func(evt any) { a.HandleEvent(ctx, evt) }
}

func (a *Adapter) onMessage(ctx context.Context, e *events.Message) bool {
	a.noteSeen(e.Info.ID)
	in, _, ok := a.convert(ctx, e)
	if !ok {
		return true
	}
	pending, err := a.record(ctx, e, in.ChatID)
	if err != nil {
		a.log.Error("whatsapp: message not recorded, so not acknowledged (WhatsApp delivers it again)", "chat", in.ChatID, "message", in.MessageID, "err", err)
		return false
	}
	if !pending {
		a.log.Debug("whatsapp: message handled before; acknowledged again", "message", in.MessageID)
		return true
	}
	a.submit(ctx, e)
	return true
}

// submit converts e and queues it behind the chat's earlier messages, unless this process
// already holds it. Once handled, its journal record is cleared.
func (a *Adapter) submit(ctx context.Context, e *events.Message) bool {
	in, m, ok := a.convert(ctx, e)
	id := string(e.Info.ID)
	if !ok {
		a.markHandled(id) // nothing to do for it any more (e.g. a group no longer used)
		return false
	}
	a.mu.Lock()
	sub := a.sub
	if a.inflight[id] {
		a.mu.Unlock()
		return false
	}
	if sub == nil {
		a.mu.Unlock()
		a.log.Error("whatsapp: message not queued, adapter has no dispatcher (kept for replay)", "message", id)
		return false
	}
	a.inflight[id] = true
	if len(a.pending) < 10_000 { // a bound on memory when nothing drains it
		a.pending[id] = m
	}
	a.mu.Unlock()
	err := sub.Submit(ctx, in, func(error) { a.markHandled(id) })
	if err != nil {
		a.mu.Lock()
		delete(a.pending, id)
		delete(a.inflight, id)
		a.mu.Unlock()
		a.log.Warn("whatsapp: message not queued (kept for replay)", "chat", in.ChatID, "message", id, "err", err)
		return false
	}
	return true
}

// markRead sends the read receipt of a handled message (best effort).
func (a *Adapter) markRead(ctx context.Context, id string) {
	a.mu.Lock()
	r, ok := a.pending[id]
	delete(a.pending, id)
	c := a.client
	a.mu.Unlock()
	if !ok || c == nil || r.chat.IsEmpty() {
		return
	}
	if err := c.MarkRead(ctx, []types.MessageID{types.MessageID(id)}, r.at, r.chat, r.sender); err != nil {
		a.log.Debug("whatsapp: read receipt", "message", id, "err", err)
	}
}

// allowedGroup reports whether chat is one of the digest groups. The first message of
// any other group is logged with the group's JID, so that an operator can find the id to
// configure.
func (a *Adapter) allowedGroup(chat types.JID) bool {
	id := chat.ToNonAD().String()
	a.mu.Lock()
	defer a.mu.Unlock()
	if slices.Contains(a.groups, id) {
		return true
	}
	if !a.seenGroups[id] && len(a.seenGroups) < 1000 {
		a.seenGroups[id] = true
		a.log.Info("whatsapp: ignoring a group that is no digest group (set a region's digest chat or WHATSAPP_DIGEST_GROUPS to use it)", "group", id)
	}
	return false
}

// ignoredChat reports chats klabot never answers: status updates, broadcast lists,
// newsletters, and groups other than the digest groups.
func (a *Adapter) ignoredChat(info *types.MessageInfo) bool {
	switch info.Chat.Server {
	case types.BroadcastServer, types.NewsletterServer:
		return true
	case types.GroupServer:
		return !a.allowedGroup(info.Chat)
	}
	return info.IsGroup && !a.allowedGroup(info.Chat)
}

func trimText(s string) string { return strings.TrimSpace(s) }
