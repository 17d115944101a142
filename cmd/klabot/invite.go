package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// inviteLink is the Telegram deep link for code, or "" when no bot username is configured.
func inviteLink(botUsername, code string) string {
	u := strings.TrimPrefix(strings.TrimSpace(botUsername), "@")
	if u == "" {
		return ""
	}
	return "https://t.me/" + u + "?start=" + code
}

// runInvite creates (or finds) the person and prints a single-use invite for them.
func runInvite(ctx context.Context, app *App, args []string) error {
	const usage = `usage: klabot invite --region CODE --role focal_point|coordinator|head|admin [--opd CODE] --name "NAME" [--phone 0812...] [--ttl 168h] [--json]`
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	region := fs.String("region", "", "region code")
	roleFlag := fs.String("role", "", "focal_point, coordinator, head or admin")
	opd := fs.String("opd", "", "the person's OPD code in the region (required for a focal point)")
	name := fs.String("name", "", "the person's name")
	phone := fs.String("phone", "", "phone number, for WhatsApp (optional)")
	ttl := fs.Duration("ttl", postgres.DefaultInviteTTL, "how long the code stays valid")
	asJSON := fs.Bool("json", false, `print {"code": ..., "link": ...}`)
	if _, err := parseFlagsAnywhere(fs, args); err != nil {
		return err
	}
	if *region == "" || *roleFlag == "" || strings.TrimSpace(*name) == "" {
		return usageError{usage}
	}
	role, ok := parseRole(*roleFlag)
	if !ok {
		return usageError{fmt.Sprintf("unknown role %q (use focal_point, coordinator, head or admin)", *roleFlag)}
	}
	if *ttl <= 0 {
		return usageError{"--ttl must be positive, e.g. 168h"}
	}
	if *phone != "" && !validPhone(*phone) {
		return usageError{fmt.Sprintf("--phone %q does not look like a phone number (write it like 0812 3456 7890 or +62 812 3456 7890)", *phone)}
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	store := postgres.New(pool, app.Now)
	reg, err := store.Region(ctx, *region)
	if err != nil {
		return explainNotFound(err, *region)
	}
	p := conversations.Person{Name: *name, Role: role, RegionCode: reg.Code}
	if *opd != "" {
		o, err := store.OPDByCode(ctx, reg.Code, *opd)
		if isNotFound(err) {
			return fmt.Errorf("%s has no OPD %s (%s)", reg.Code, strings.ToUpper(*opd), opdChoices(ctx, store, reg.Code))
		}
		if err != nil {
			return err
		}
		p.OPDID, p.OPDCode = o.ID, o.Code
	}
	// A name already on the roster is that person, not a new one: bind the invite to them.
	id, err := rosterPerson(ctx, store, p)
	if err != nil {
		return err
	}
	if id == 0 {
		if role == conversations.RoleFocalPoint && *opd == "" {
			return fmt.Errorf("a focal point needs an OPD of %s: add --opd CODE (%s)", reg.Code, opdChoices(ctx, store, reg.Code))
		}
		if id, err = store.UpsertPerson(ctx, p, *phone); err != nil {
			return err
		}
	} else if *phone != "" {
		if _, _, err := store.ChangePerson(ctx, id, postgres.PersonChange{Phone: phone}); err != nil {
			return err
		}
	}
	if p, err = store.Person(ctx, id); err != nil {
		return err
	}
	code, err := store.CreateInvite(ctx, id, *ttl)
	if err != nil {
		return err
	}
	expires := app.Now().Add(*ttl).In(reg.Location())
	link := inviteLink(app.Getenv("TELEGRAM_BOT_USERNAME"), code)
	if *asJSON {
		return json.NewEncoder(app.Stdout).Encode(map[string]any{
			"code": code, "link": link, "person_id": id, "expires_at": expires.UTC().Format(time.RFC3339),
		})
	}
	who := string(p.Role)
	if p.OPDCode != "" {
		who += ", " + p.OPDCode
	}
	fmt.Fprintf(app.Stdout, "invite for %s (%s, %s), single use, valid until %s\n", p.Name, who, reg.Code, expires.Format("02/01/2006 15:04 MST"))
	fmt.Fprintf(app.Stdout, "  code:     %s\n", code)
	if link != "" {
		fmt.Fprintf(app.Stdout, "  Telegram: %s\n", link)
	} else {
		fmt.Fprintf(app.Stdout, "  Telegram: send /start %s to the bot (set TELEGRAM_BOT_USERNAME to print a link)\n", code)
	}
	fmt.Fprintf(app.Stdout, "  WhatsApp: send \"DAFTAR %s\" to the bot's number\n", code)
	return nil
}

// rosterPerson finds the region's person the invite is for by name (case and spaces
// aside): 0 when nobody has the name. With several people of that name, the role and OPD
// given pick one. A person whose roster role or OPD differs from the flags given, or who
// was deactivated, is refused with what to do, rather than duplicated.
func rosterPerson(ctx context.Context, store *postgres.Store, want conversations.Person) (int64, error) {
	named, err := store.PeopleNamed(ctx, want.RegionCode, want.Name)
	if err != nil || len(named) == 0 {
		return 0, err
	}
	var match []postgres.PersonRecord
	for _, r := range named {
		if r.Role == want.Role && (want.OPDID == 0 || r.OPDID == want.OPDID) {
			match = append(match, r)
		}
	}
	switch {
	case len(match) == 1 && match[0].Deactivated:
		return 0, fmt.Errorf("%s (#%d) is deactivated; reactivate them first with `klabot person set --id %d --active=true`", match[0].Name, match[0].ID, match[0].ID)
	case len(match) == 1:
		return match[0].ID, nil
	case len(match) == 0 && len(named) == 1:
		r := named[0]
		return 0, fmt.Errorf("%s is on the roster of %s as #%d (%s); to invite them, give their role and OPD, or change them first with `klabot person set --id %d --role ... --opd ...`",
			r.Name, r.RegionCode, r.ID, describePerson(r), r.ID)
	}
	var list []string
	for _, r := range named {
		list = append(list, fmt.Sprintf("#%d (%s)", r.ID, describePerson(r)))
	}
	return 0, fmt.Errorf("%d people of %s are named %s: %s; give --role and --opd to pick one", len(named), want.RegionCode, want.Name, strings.Join(list, "; "))
}

// opdChoices lists the region's OPD codes for an error message.
func opdChoices(ctx context.Context, store *postgres.Store, region string) string {
	opds, err := store.OPDs(ctx, region)
	if err != nil || len(opds) == 0 {
		return "it has no OPDs yet: import a roster with `klabot roster import FILE --region " + region + "`"
	}
	codes := make([]string, len(opds))
	for i, o := range opds {
		codes[i] = o.Code
	}
	return "known: " + strings.Join(codes, ", ")
}
