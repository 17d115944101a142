package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/klabot/klabot/bot/web"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// webConfig is the dashboard's configuration.
type webConfig struct {
	// BaseURL (WEB_BASE_URL) is the public address of `klabot serve`'s HTTP server, used
	// in the links the chat sends. Defaults to http://127.0.0.1:8080.
	BaseURL string
}

func loadWebConfig(getenv func(string) string) (webConfig, error) {
	c := webConfig{BaseURL: strings.TrimRight(envOr(getenv, "WEB_BASE_URL", web.DefaultBaseURL), "/")}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return c, fmt.Errorf("WEB_BASE_URL must start with http:// or https://, got %q", c.BaseURL)
	}
	return c, nil
}

// webLinks makes the dashboard's login and download links on the store.
func webLinks(app *App, store *postgres.Store) (*web.Links, error) {
	wc, err := loadWebConfig(app.Getenv)
	if err != nil {
		return nil, err
	}
	return web.NewLinks(store, web.LinkConfig{BaseURL: wc.BaseURL, Now: app.Now}), nil
}

// runWeblink is `klabot weblink --person ID` (or --region CODE for the region's first
// coordinator): a one-time dashboard login link, as `dasbor` gives in the chat.
func runWeblink(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("weblink", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	person := fs.Int64("person", 0, "person id (a coordinator, head or admin)")
	region := fs.String("region", "", "region code: the link of its first coordinator")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if (*person == 0) == (*region == "") || fs.NArg() > 0 {
		return usageError{"usage: klabot weblink --person ID | --region CODE"}
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	store := postgres.New(pool, app.Now)
	var p conversations.Person
	if *person != 0 {
		if p, err = store.Person(ctx, *person); err != nil {
			return fmt.Errorf("person %d: %w", *person, err)
		}
	} else {
		code := strings.ToUpper(strings.TrimSpace(*region))
		people, err := store.People(ctx, code)
		if err != nil {
			return err
		}
		for _, q := range people {
			if q.Role == conversations.RoleCoordinator {
				p = q
				break
			}
		}
		if p.ID == 0 {
			return fmt.Errorf("region %s has no coordinator (add one with `klabot roster import` or `klabot invite`)", code)
		}
	}
	links, err := webLinks(app, store)
	if err != nil {
		return err
	}
	link, exp, err := links.Login(ctx, p)
	if err != nil {
		return fmt.Errorf("%s (%s) cannot use the dashboard: only coordinators, heads and admins can: %w", p.Name, p.Role, err)
	}
	fmt.Fprintf(app.Stdout, "%s\n", link)
	fmt.Fprintf(app.Stderr, "login link for %s (%s, %s), single use, valid until %s\n", p.Name, p.Role, p.RegionCode, exp.Format("2006-01-02 15:04 MST"))
	return nil
}
