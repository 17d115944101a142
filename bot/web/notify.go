package web

import (
	"context"
	"fmt"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
)

// NotifyStore is what ChatNotifier reads (postgres.Store).
type NotifyStore interface {
	ReviewRecipients(ctx context.Context, answerID int64) ([]conversations.Person, error)
	Identities(ctx context.Context, personID int64) ([]conversations.Identity, error)
	Region(ctx context.Context, code string) (conversations.Region, error)
}

// ChatNotifier tells the OPD's focal points about a decision made in the dashboard, on
// every chat bound to them, with the chat review's own notice (review.NoticeText).
type ChatNotifier struct {
	Store NotifyStore
	// Send queues one message (serve's outbound sender).
	Send func(ctx context.Context, out conversations.Outbound) error
}

var _ Notifier = ChatNotifier{}

// ReviewDecided sends the notices and returns the names of the people reached.
func (n ChatNotifier) ReviewDecided(ctx context.Context, it review.Item, st conversations.ReviewState, note string, by conversations.Person) ([]string, error) {
	people, err := n.Store.ReviewRecipients(ctx, it.AnswerID)
	if err != nil {
		return nil, fmt.Errorf("review recipients: %w", err)
	}
	reg, err := n.Store.Region(ctx, it.RegionCode)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range people {
		if p.ID == by.ID {
			continue
		}
		ids, err := n.Store.Identities(ctx, p.ID)
		if err != nil {
			return names, fmt.Errorf("identities of %d: %w", p.ID, err)
		}
		text := review.NoticeText(p.Language, it, st, note, by.Name, reg.Location())
		sent := false
		for _, id := range ids {
			out := conversations.Outbound{To: conversations.Address{Channel: id.Channel, ChatID: id.ChatID}, PersonID: p.ID, Text: text,
				Kind: review.NoticeNote}
			if err := n.Send(ctx, out); err != nil {
				return names, fmt.Errorf("notice to %d: %w", p.ID, err)
			}
			sent = true
		}
		if sent {
			names = append(names, p.Name)
		}
	}
	return names, nil
}
