// Package invite is the coordinators' "undang" in chat: an invite for an OPD's focal
// point, a head or another coordinator of their region, answered with the single-use
// code and the Telegram deep link (the same invite `klabot invite` makes).
package invite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Store creates people and their invites (storage/postgres).
type Store interface {
	UpsertPerson(ctx context.Context, p conversations.Person, phone string) (int64, error)
	CreateInvite(ctx context.Context, personID int64, ttl time.Duration) (string, error)
}

// Deps are the capability's collaborators.
type Deps struct {
	Store Store
	// BotUsername is the Telegram bot's username for the deep link t.me/<bot>?start=CODE;
	// empty leaves the link out (the code still works with DAFTAR on WhatsApp).
	BotUsername string
	// TTL is how long an invite is valid. Defaults to 7 days.
	TTL time.Duration
}

// New returns the undang capability. A nil Store turns it off politely.
func New(d Deps) conversations.Capability {
	if d.TTL <= 0 {
		d.TTL = 7 * 24 * time.Hour
	}
	u := &undang{d: d}
	return conversations.Capability{Name: "invite", Commands: []conversations.Command{
		{Rank: 160, Names: []string{"undang", "invite"}, Roles: conversations.Reviewing, Args: true, Run: u.cmdInvite,
			Help: "undang OPD NAMA / undang kepala NAMA — kode undangan untuk orang baru", HelpEN: "invite OPD NAME / invite head NAME — an invite code for someone new"},
	}}
}

type undang struct{ d Deps }

// roleWords name a region-wide role as the first word of "undang".
var roleWords = map[string]conversations.Role{
	"kepala": conversations.RoleHead, "pimpinan": conversations.RoleHead, "head": conversations.RoleHead,
	"bupati": conversations.RoleHead, "walikota": conversations.RoleHead, "sekda": conversations.RoleHead,
	"koordinator": conversations.RoleCoordinator, "coordinator": conversations.RoleCoordinator,
}

func (u *undang) cmdInvite(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	lang := r.Lang()
	if u.d.Store == nil {
		return r.Replies(tr(lang, ivOff)), nil
	}
	words := strings.Fields(r.Args)
	if len(words) < 2 {
		return r.Replies(tr(lang, ivUsage, opdList(r.OPDs()))), nil
	}
	p := conversations.Person{RegionCode: r.Person.RegionCode, Language: "id"}
	var name []string
	if role, ok := roleWords[strings.ToLower(words[0])]; ok {
		p.Role, name = role, words[1:]
	} else {
		// The longest leading words that name an OPD ("dinas kesehatan"), the rest is
		// the person's name.
		for k := len(words) - 1; k >= 1; k-- {
			if o, ok := findExact(r.OPDs(), strings.Join(words[:k], " ")); ok {
				p.Role, p.OPDID, p.OPDCode, p.OPDName, name = conversations.RoleFocalPoint, o.ID, o.Code, o.Name, words[k:]
				break
			}
		}
		if p.Role == "" {
			return r.Replies(tr(lang, ivUnknownOPD, words[0], opdList(r.OPDs()))), nil
		}
	}
	p.Name = strings.Join(name, " ")
	id, err := u.d.Store.UpsertPerson(ctx, p, "")
	if err != nil {
		return nil, fmt.Errorf("invite person %q: %w", p.Name, err)
	}
	code, err := u.d.Store.CreateInvite(ctx, id, u.d.TTL)
	if err != nil {
		return nil, fmt.Errorf("create invite for %d: %w", id, err)
	}
	who := tr(lang, ivHead)
	switch {
	case p.Role == conversations.RoleCoordinator:
		who = tr(lang, ivCoordinator)
	case p.OPDName != "":
		who = tr(lang, ivFocal, p.OPDName)
	}
	until := r.Now.Add(u.d.TTL).In(r.Region.Location())
	text := tr(lang, ivCreated, p.Name, who, code, code, until.Format("02/01/2006 15.04"))
	if bot := strings.TrimPrefix(strings.TrimSpace(u.d.BotUsername), "@"); bot != "" {
		text += "\n" + tr(lang, ivLink, "https://t.me/"+bot+"?start="+code)
	}
	return r.Replies(text), nil
}

// findExact is an OPD named exactly by its code or full name (case and spaces ignored):
// a part of a name here could eat the person's name.
func findExact(opds []conversations.OPD, text string) (conversations.OPD, bool) {
	o, ok := conversations.FindOPD(opds, text)
	if !ok {
		return o, false
	}
	squash := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	return o, squash(o.Code) == squash(text) || squash(o.Name) == squash(text)
}

func opdList(opds []conversations.OPD) string {
	var codes []string
	for _, o := range opds {
		codes = append(codes, o.Code)
	}
	return strings.Join(codes, ", ")
}
