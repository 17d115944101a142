// Package onboarding answers the chats klabot does not know: an invite code ("/start
// CODE" from Telegram's deep link, "DAFTAR CODE" on WhatsApp) binds the chat to the
// invited person, who is welcomed by name, OPD and region; wrong codes are throttled per
// chat and sender; anything else gets a polite explanation, and nothing is stored.
package onboarding

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Invites redeems invite codes (storage/postgres).
type Invites interface {
	// RedeemInvite binds id to the invited person; conversations.ErrNotFound, ErrExpired,
	// or ErrConflict when the code was used already.
	RedeemInvite(ctx context.Context, code string, id conversations.Identity) (conversations.Person, error)
}

// Attempts counts failed attempts per key in fixed windows (storage/redis.Store): the
// invite throttle.
type Attempts interface {
	// Failures returns how many failures key counted in its window and how long the
	// window still runs.
	Failures(ctx context.Context, key string) (int, time.Duration, error)
	// AddFailure counts one failure; the first one opens a window of length window.
	AddFailure(ctx context.Context, key string, window time.Duration) (int, time.Duration, error)
}

// Questionnaire is what the welcome says about a focal point's questions
// (answering.Dialogue).
type Questionnaire interface {
	// Overview is the welcome's lines about the questions of r's person (how many, how
	// many answered, the deadline) and the button that starts them.
	Overview(ctx context.Context, r *conversations.Request) (string, conversations.Button, error)
}

// Deps are the onboarding's collaborators.
type Deps struct {
	Invites Invites
	// Attempts throttles invite codes (wrong ones per chat and sender); nil: no throttle.
	Attempts Attempts
	// Questions tells a new focal point about their questions; nil leaves it out.
	Questions Questionnaire
	// OnInvite, when set, is told of each invite attempt: "ok", "wrong", "throttled" or
	// "group" (metrics).
	OnInvite func(result string)
	// Failures wrong invite codes per chat or sender within Window make them wait until
	// the window ends. Defaults to 5 per 10 minutes.
	Failures int
	Window   time.Duration
	Log      *slog.Logger // defaults to slog.Default()
}

// New returns the onboarding capability: it takes the strangers.
func New(d Deps) conversations.Capability {
	if d.Failures <= 0 {
		d.Failures = 5
	}
	if d.Window <= 0 {
		d.Window = 10 * time.Minute
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	o := &onboarding{d: d}
	return conversations.Capability{Name: "onboarding", Stranger: o.stranger}
}

type onboarding struct{ d Deps }

// inviteWords introduce an invite code: Telegram's deep link sends "/start CODE",
// WhatsApp people type "DAFTAR CODE".
var inviteWords = map[string]bool{"start": true, "mulai": true, "daftar": true, "register": true, "join": true, "gabung": true}

// stranger answers a chat klabot does not know: an invite code binds it to the invited
// person; anything else gets a polite explanation and nothing is stored.
func (o *onboarding) stranger(ctx context.Context, n *conversations.Newcomer) ([]conversations.Outbound, error) {
	in := n.In
	word, args, _ := conversations.SplitCommand(in.Text)
	if !inviteWords[word] || args == "" {
		if in.Group {
			return nil, nil // a group's other members talking among themselves: stay quiet
		}
		return []conversations.Outbound{n.Reply(tr("id", msgUnknown))}, nil
	}
	if in.Group {
		// A group must never become the person's chat (their nudges, notes and digests
		// would go to everyone in it).
		o.inviteResult("group")
		return []conversations.Outbound{n.Reply(tr("id", msgInvitePrivate))}, nil
	}
	if wait := o.inviteThrottled(ctx, in); wait > 0 {
		o.inviteResult("throttled")
		return []conversations.Outbound{n.Reply(tr("id", msgInviteWait, int(wait.Minutes())+1))}, nil
	}
	// Codes are copied from posters and chats in groups ("DAFTAR QVA4 ZRXD H9"): the
	// store ignores case, spaces and dashes, so the words are joined.
	code := strings.Join(strings.Fields(args), "")
	p, err := o.d.Invites.RedeemInvite(ctx, code, conversations.Identity{Channel: in.Channel, ExternalID: in.SenderID, ChatID: in.ChatID})
	switch {
	case errors.Is(err, conversations.ErrNotFound), errors.Is(err, conversations.ErrInvalid):
		o.inviteResult("wrong")
		o.inviteFailed(ctx, in)
		return []conversations.Outbound{n.Reply(tr("id", msgInviteUnknown))}, nil
	case errors.Is(err, conversations.ErrExpired):
		return []conversations.Outbound{n.Reply(tr("id", msgInviteExpired))}, nil
	case errors.Is(err, conversations.ErrConflict):
		return []conversations.Outbound{n.Reply(tr("id", msgInviteUsed))}, nil
	case err != nil:
		return []conversations.Outbound{n.Trouble()}, fmt.Errorf("redeem invite: %w", err)
	}
	o.inviteResult("ok")
	r, err := n.Bound(ctx, p)
	if err != nil {
		return nil, err
	}
	return o.welcome(ctx, r)
}

// welcome greets a newly bound person by name, OPD and region, with their number of
// questions, the deadline and how to start.
func (o *onboarding) welcome(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	p := r.Person
	lang := p.Language
	var b strings.Builder
	who := roleName(lang, p.Role)
	if p.OPDName != "" {
		who = tr(lang, msgRoleAt, who, p.OPDName)
	}
	b.WriteString(tr(lang, msgWelcome, p.Name, who, r.Region.Name))
	var buttons []conversations.Button
	if p.Role.Answers() && p.OPDID != 0 && o.d.Questions != nil {
		text, start, err := o.d.Questions.Overview(ctx, r)
		if err != nil {
			return nil, err
		}
		b.WriteString(text)
		b.WriteString("\n\n" + tr(lang, msgWelcomeStart))
		buttons = []conversations.Button{start}
	} else {
		b.WriteString("\n\n" + tr(lang, msgWelcomeOther))
	}
	out := conversations.Outbound{To: r.In.Address, PersonID: p.ID, Text: b.String()}
	return []conversations.Outbound{conversations.WithOptions(out, lang, buttons)}, nil
}

func roleName(lang string, role conversations.Role) string {
	switch role {
	case conversations.RoleFocalPoint:
		return tr(lang, msgRoleFocal)
	case conversations.RoleCoordinator:
		return tr(lang, msgRoleCoordinator)
	case conversations.RoleHead:
		return tr(lang, msgRoleHead)
	}
	return tr(lang, msgRoleAdmin)
}

// inviteKeys are the throttle keys of an invite attempt: the chat and the sender.
func inviteKeys(in conversations.Inbound) []string {
	return []string{"invite:chat:" + in.Address.Key(), "invite:sender:" + string(in.Channel) + ":" + in.SenderID}
}

// inviteThrottled reports how long the chat or the sender must wait before trying a code
// again (0: go ahead). Without a throttle store, or when it fails, nobody waits.
func (o *onboarding) inviteThrottled(ctx context.Context, in conversations.Inbound) time.Duration {
	if o.d.Attempts == nil {
		return 0
	}
	var wait time.Duration
	for _, k := range inviteKeys(in) {
		n, left, err := o.d.Attempts.Failures(ctx, k)
		if err != nil {
			o.d.Log.Warn("invite throttle unavailable", "err", err)
			return 0
		}
		if n >= o.d.Failures {
			wait = max(wait, left)
		}
	}
	return wait
}

// inviteFailed counts a wrong code for the chat and the sender.
func (o *onboarding) inviteFailed(ctx context.Context, in conversations.Inbound) {
	if o.d.Attempts == nil {
		return
	}
	for _, k := range inviteKeys(in) {
		if _, _, err := o.d.Attempts.AddFailure(ctx, k, o.d.Window); err != nil {
			o.d.Log.Warn("count a wrong invite code", "err", err)
		}
	}
}

// inviteResult reports an invite attempt's result to Deps.OnInvite (metrics).
func (o *onboarding) inviteResult(result string) {
	if o.d.OnInvite != nil {
		o.d.OnInvite(result)
	}
}
