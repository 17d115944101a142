package conversations

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// inviteWords introduce an invite code: Telegram's deep link sends "/start CODE",
// WhatsApp people type "DAFTAR CODE".
var inviteWords = map[string]bool{"start": true, "mulai": true, "daftar": true, "register": true, "join": true, "gabung": true}

// stranger answers a chat klabot does not know: an invite code binds it to the invited
// person; anything else gets a polite explanation and nothing is stored.
func (e *Engine) stranger(ctx context.Context, in Inbound) ([]Outbound, error) {
	word, args, _ := splitCommand(in.Text)
	if !inviteWords[word] || args == "" {
		if in.Group {
			return nil, nil // a group's other members talking among themselves: stay quiet
		}
		return []Outbound{e.reply(in, tr("id", msgUnknown))}, nil
	}
	if in.Group {
		// A group must never become the person's chat (their nudges, notes and digests
		// would go to everyone in it).
		e.inviteResult("group")
		return []Outbound{e.reply(in, tr("id", msgInvitePrivate))}, nil
	}
	if wait := e.inviteThrottled(ctx, in); wait > 0 {
		e.inviteResult("throttled")
		return []Outbound{e.reply(in, tr("id", msgInviteWait, int(wait.Minutes())+1))}, nil
	}
	// Codes are copied from posters and chats in groups ("DAFTAR QVA4 ZRXD H9"): the
	// store ignores case, spaces and dashes, so the words are joined.
	code := strings.Join(strings.Fields(args), "")
	p, err := e.d.Invites.RedeemInvite(ctx, code, Identity{Channel: in.Channel, ExternalID: in.SenderID, ChatID: in.ChatID})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalid):
		e.inviteResult("wrong")
		e.inviteFailed(ctx, in)
		return []Outbound{e.reply(in, tr("id", msgInviteUnknown))}, nil
	case errors.Is(err, ErrExpired):
		return []Outbound{e.reply(in, tr("id", msgInviteExpired))}, nil
	case errors.Is(err, ErrConflict):
		return []Outbound{e.reply(in, tr("id", msgInviteUsed))}, nil
	case err != nil:
		return []Outbound{e.reply(in, tr("id", msgTrouble))}, fmt.Errorf("redeem invite: %w", err)
	}
	e.inviteResult("ok")
	e.forget(in.Channel, in.SenderID)
	if p.Language == "" {
		p.Language = "id"
	}
	return e.welcome(ctx, in, p)
}

// welcome greets a newly bound person by name, OPD and region, with their number of
// questions, the deadline and how to start.
func (e *Engine) welcome(ctx context.Context, in Inbound, p Person) ([]Outbound, error) {
	ri, err := e.region(ctx, p.RegionCode)
	if err != nil {
		return nil, fmt.Errorf("region %s: %w", p.RegionCode, err)
	}
	now := e.d.Now()
	r := &Request{In: in, Person: p, Region: ri.Region, Now: now, e: e, opds: ri.opds,
		State: &State{PersonID: p.ID, Year: e.year(ri.Region, now)}}
	var b strings.Builder
	who := roleName(r, p.Role)
	if p.OPDName != "" {
		who = r.T(msgRoleAt, who, p.OPDName)
	}
	b.WriteString(r.T(msgWelcome, p.Name, who, ri.Name))
	var buttons []Button
	if roleAnswers(p.Role) && p.OPDID != 0 {
		l, err := e.progressOf(ctx, r)
		switch {
		case errors.Is(err, errNoInstrument):
			b.WriteString("\n" + r.T(msgNoInstrument, r.State.Year))
		case err != nil:
			return nil, err
		default:
			b.WriteString("\n" + r.T(msgWelcomeCount, len(l.refs), l.counts().answered))
		}
		if dl := e.deadlineLine(r); dl != "" {
			b.WriteString("\n" + dl)
		}
		b.WriteString("\n\n" + r.T(msgWelcomeStart))
		buttons = []Button{{Label: r.T(msgBtnStart), Data: "n:start:"}}
	} else {
		b.WriteString("\n\n" + r.T(msgWelcomeOther))
	}
	out := Outbound{To: in.Address, PersonID: p.ID, Text: b.String()}
	return []Outbound{WithOptions(out, p.Language, buttons)}, nil
}

func roleName(r *Request, role Role) string {
	switch role {
	case RoleFocalPoint:
		return r.T(msgRoleFocal)
	case RoleCoordinator:
		return r.T(msgRoleCoordinator)
	case RoleHead:
		return r.T(msgRoleHead)
	}
	return r.T(msgRoleAdmin)
}
