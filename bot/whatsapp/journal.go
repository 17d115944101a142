package whatsapp

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// Journal records incoming messages durably before WhatsApp gets their ack
// (postgres.Store). A message is acknowledged only once Record returned without error;
// MarkHandled clears it once the engine dealt with it; Unhandled returns what a crash left
// behind, for replay.
type Journal interface {
	// RecordWhatsAppMessage stores a message's sealed body and reports whether it still
	// needs handling (new, or recorded before and never handled).
	RecordWhatsAppMessage(ctx context.Context, id, chatID string, body []byte) (bool, error)
	MarkWhatsAppMessageHandled(ctx context.Context, id string) error
	// UnhandledWhatsAppMessages returns the bodies of messages recorded before before and
	// not handled yet, oldest first, at most limit.
	UnhandledWhatsAppMessages(ctx context.Context, before time.Time, limit int) ([][]byte, error)
	// RecordSentWhatsAppMessage and SentWhatsAppMessage keep what klabot sent, sealed,
	// to answer retry receipts after a restart (MessageForRetry).
	RecordSentWhatsAppMessage(ctx context.Context, id, chatID string, body []byte) error
	SentWhatsAppMessage(ctx context.Context, chatID, id string) ([]byte, error)
}

// journalEntry is what is recorded of an *events.Message: enough to convert it again.
type journalEntry struct {
	Info     types.MessageInfo `json:"info"`
	Message  []byte            `json:"message"`
	Edit     bool              `json:"edit,omitempty"`
	ViewOnce bool              `json:"view_once,omitempty"`
}

func encodeEntry(e *events.Message) ([]byte, error) {
	msg, err := proto.Marshal(e.Message)
	if err != nil {
		return nil, err
	}
	info := e.Info
	info.VerifiedName, info.DeviceSentMeta = nil, nil // not needed, and not all JSON-safe
	return json.Marshal(journalEntry{Info: info, Message: msg, Edit: e.IsEdit, ViewOnce: e.IsViewOnce})
}

func decodeEntry(b []byte) (*events.Message, error) {
	var j journalEntry
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, err
	}
	var m waE2E.Message
	if err := proto.Unmarshal(j.Message, &m); err != nil {
		return nil, err
	}
	return &events.Message{Info: j.Info, Message: &m, IsEdit: j.Edit, IsViewOnce: j.ViewOnce}, nil
}

// sealer encrypts recorded messages (they can hold invite codes and personal messages)
// with AES-GCM; the bodies are dropped once handled.
type sealer struct{ aead cipher.AEAD }

// NewSealKey derives the key of the journal's seal from a secret of the paired device (its
// identity key): a dump of klabot's own tables alone does not reveal the messages.
func NewSealKey(secret []byte) []byte {
	k := sha256.Sum256(append([]byte("klabot whatsapp_messages v1\x00"), secret...))
	return k[:]
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, errors.New("journal key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, nil)
}

func (s *sealer) open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed message too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}

// SetJournal makes the adapter record every message it takes before acknowledging it
// (HandleEvent answers false when recording failed, so whatsmeow sends no ack and
// WhatsApp delivers the message again). key seals the bodies (NewSealKey).
func (a *Adapter) SetJournal(j Journal, key []byte) error {
	s, err := newSealer(key)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.journal, a.seal = j, s
	a.mu.Unlock()
	return nil
}

// record stores e before its ack. pending is false for a message handled before.
func (a *Adapter) record(ctx context.Context, e *events.Message, chatID string) (pending bool, err error) {
	a.mu.Lock()
	j, s := a.journal, a.seal
	a.mu.Unlock()
	if j == nil {
		return true, nil
	}
	body, err := encodeEntry(e)
	if err != nil {
		return false, fmt.Errorf("encode message %s: %w", e.Info.ID, err)
	}
	// Recording outlives the receive loop's context only briefly: a message not recorded
	// is simply not acknowledged.
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return j.RecordWhatsAppMessage(rctx, string(e.Info.ID), chatID, s.seal(body))
}

func (a *Adapter) markHandled(id string) {
	a.mu.Lock()
	j := a.journal
	delete(a.inflight, id)
	a.mu.Unlock()
	if j == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := j.MarkWhatsAppMessageHandled(ctx, id); err != nil {
		a.log.Error("whatsapp: mark message handled", "message", id, "err", err)
	}
}

// Replay submits recorded messages received before before that were never handled (the
// process died in between). Messages this process holds are skipped; the engine drops
// any it already handled (it records every message id).
func (a *Adapter) Replay(ctx context.Context, before time.Time) (int, error) {
	a.mu.Lock()
	j, s := a.journal, a.seal
	a.mu.Unlock()
	if j == nil {
		return 0, nil
	}
	bodies, err := j.UnhandledWhatsAppMessages(ctx, before, 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sealed := range bodies {
		raw, err := s.open(sealed)
		if err != nil {
			a.log.Error("whatsapp: recorded message unreadable (paired again since?)", "err", err)
			continue
		}
		e, err := decodeEntry(raw)
		if err != nil {
			a.log.Error("whatsapp: recorded message undecodable", "err", err)
			continue
		}
		if a.submit(ctx, e) {
			n++
		}
	}
	if n > 0 {
		a.log.Info("whatsapp: replayed unhandled messages", "count", n)
	}
	return n, nil
}

// rememberSent keeps a sent message for retry receipts (best effort).
func (a *Adapter) rememberSent(ctx context.Context, to types.JID, id types.MessageID, msg *waE2E.Message) {
	a.mu.Lock()
	j, s := a.journal, a.seal
	a.mu.Unlock()
	if j == nil || id == "" {
		return
	}
	body, err := proto.Marshal(msg)
	if err == nil {
		err = j.RecordSentWhatsAppMessage(context.WithoutCancel(ctx), string(id), to.ToNonAD().String(), s.seal(body))
	}
	if err != nil {
		a.log.Warn("whatsapp: keep sent message for retry receipts", "message", id, "err", err)
	}
}

// MessageForRetry is whatsmeow's Client.GetMessageForRetry: when a recipient's phone
// could not decrypt a message klabot sent and asks for it again (a retry receipt), and
// whatsmeow's in-memory cache of recent messages no longer has it (a restart), the message
// comes from the journal and is encrypted again for that phone.
func (a *Adapter) MessageForRetry(requester, to types.JID, id types.MessageID) *waE2E.Message {
	a.mu.Lock()
	j, s := a.journal, a.seal
	a.mu.Unlock()
	if j == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sealed, err := j.SentWhatsAppMessage(ctx, to.ToNonAD().String(), string(id))
	if err != nil || sealed == nil {
		if err != nil {
			a.log.Warn("whatsapp: look up message for a retry receipt", "message", id, "err", err)
		}
		return nil
	}
	raw, err := s.open(sealed)
	if err != nil {
		return nil
	}
	var m waE2E.Message
	if err := proto.Unmarshal(raw, &m); err != nil {
		return nil
	}
	a.log.Info("whatsapp: answering a retry receipt from the journal", "message", id, "requester", requester.ToNonAD().String())
	return &m
}
