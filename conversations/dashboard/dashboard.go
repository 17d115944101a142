// Package dashboard is the chat side of the coordinators' web dashboard (bot/web): the
// command dasbor (aliases web, dashboard) answers coordinators, admins and heads with a
// one-time login link.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
)

// Links makes one-time login links to the dashboard (bot/web.Links).
type Links interface {
	Login(ctx context.Context, p conversations.Person) (string, time.Time, error)
}

// New returns the dashboard capability on links; nil links turn the command off politely.
func New(links Links) conversations.Capability {
	d := &dashboard{links: links}
	return conversations.Capability{
		Name: "dashboard",
		Commands: []conversations.Command{
			{Rank: 80, Names: []string{"dasbor", "web", "dashboard"}, Run: d.cmdDashboard,
				Roles: []conversations.Role{conversations.RoleCoordinator, conversations.RoleAdmin, conversations.RoleHead},
				Help:  "dasbor — tautan masuk ke dasbor web (berlaku 15 menit)", HelpEN: "dashboard — a login link to the web dashboard (valid 15 minutes)"},
		},
	}
}

type dashboard struct{ links Links }

func (d *dashboard) cmdDashboard(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	lang := r.Lang()
	if d.links == nil {
		return r.Replies(tr(lang, dbOff)), nil
	}
	link, exp, err := d.links.Login(ctx, r.Person)
	if errors.Is(err, conversations.ErrForbidden) {
		return r.Replies(tr(lang, dbForbidden)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("dashboard link for %d: %w", r.Person.ID, err)
	}
	return r.Replies(tr(lang, dbLink, r.Region.Name, link, idfmt.Clock(exp.In(r.Region.Location())))), nil
}
