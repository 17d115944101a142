package conversations

import (
	"context"
	"fmt"
	"time"
)

// Newcomer is a message from a chat no person is bound to yet, for the capability that
// takes strangers (Capability.Stranger: onboarding with its invite codes).
type Newcomer struct {
	In  Inbound
	Now time.Time
	e   *Engine
}

// Reply is one plain text to the sender.
func (n *Newcomer) Reply(text string) Outbound { return n.e.reply(n.In, text) }

// Trouble is the apology for a failure on our side, in Indonesian.
func (n *Newcomer) Trouble() Outbound { return n.e.reply(n.In, tr("id", msgTrouble)) }

// Bound is the request of person p, whom the sender's chat was just bound to: the cached
// "unknown sender" is forgotten, and the request carries p's region and a fresh state of
// the region's evaluation year (for a welcome).
func (n *Newcomer) Bound(ctx context.Context, p Person) (*Request, error) {
	n.e.forget(n.In.Channel, n.In.SenderID)
	if p.Language == "" {
		p.Language = "id"
	}
	ri, err := n.e.region(ctx, p.RegionCode)
	if err != nil {
		return nil, fmt.Errorf("region %s: %w", p.RegionCode, err)
	}
	return &Request{In: n.In, Person: p, Region: ri.Region, Now: n.Now, e: n.e, opds: ri.opds,
		State: &State{PersonID: p.ID, Year: n.e.year(ri.Region, n.Now)}}, nil
}

// stranger answers a chat klabot does not know, through the capability that takes
// strangers; without one, it says nothing.
func (e *Engine) stranger(ctx context.Context, in Inbound) ([]Outbound, error) {
	if e.strangers == nil {
		return nil, nil
	}
	return e.strangers(ctx, &Newcomer{In: in, Now: e.d.Now(), e: e})
}
