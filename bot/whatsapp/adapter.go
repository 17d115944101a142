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
	unread     map[string]receipt   // by message id: what a read receipt needs
}

// receipt is where a message came from, in WhatsApp's own addressing, for its read receipt.
type receipt struct {
	chat, sender types.JID
	at           time.Time
}

// New returns an Adapter on client. menus keeps each chat's last numbered menu.
func New(client Client, menus MenuStore, log *slog.Logger, cfg Config) *Adapter {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Adapter{client: client, menus: menus, log: log, cfg: cfg, groups: cfg.DigestGroups, seenGroups: map[string]bool{}, unread: map[string]receipt{}}
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

// EventHandler returns the function to register with whatsmeow's AddEventHandler. It runs
// inside whatsmeow's receive loop, so it only converts and queues: downloads and the
// engine run in the dispatcher's workers. ctx bounds the queueing.
func (a *Adapter) EventHandler(ctx context.Context) func(evt any) {
	return func(evt any) {
		switch e := evt.(type) {
		case *events.Message:
			a.onMessage(ctx, e)
		default:
			a.observe(evt)
		}
	}
}

func (a *Adapter) onMessage(ctx context.Context, e *events.Message) {
	in, ok := a.Inbound(ctx, e)
	if !ok {
		return
	}
	a.mu.Lock()
	sub := a.sub
	a.mu.Unlock()
	if sub == nil {
		a.log.Error("whatsapp: message dropped, adapter has no dispatcher", "message", in.MessageID)
		return
	}
	a.mu.Lock()
	if len(a.unread) < 10_000 { // a bound on memory when nothing drains it
		r := receipt{chat: e.Info.Chat, at: e.Info.Timestamp}
		if e.Info.IsGroup {
			r.sender = e.Info.Sender
		}
		a.unread[in.MessageID] = r
	}
	a.mu.Unlock()
	if err := sub.Submit(ctx, in, nil); err != nil {
		a.mu.Lock()
		delete(a.unread, in.MessageID)
		a.mu.Unlock()
		a.log.Warn("whatsapp: message not queued", "chat", in.ChatID, "message", in.MessageID, "err", err)
	}
}

// markRead sends the read receipt of a handled message (best effort).
func (a *Adapter) markRead(ctx context.Context, id string) {
	a.mu.Lock()
	r, ok := a.unread[id]
	delete(a.unread, id)
	c := a.client
	a.mu.Unlock()
	if !ok || c == nil {
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
