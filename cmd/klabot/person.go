package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/klabot/klabot/storage/postgres"
)

// runPerson: person set --id ID [--opd CODE] [--name N] [--phone P] [--role R] [--active]
// | person deactivate --id ID. Staff turnover is common: moving a focal point to another
// OPD or deactivating one who left keeps their answers and history.
func runPerson(ctx context.Context, app *App, args []string) error {
	const usage = "usage: klabot person set --id ID [--opd CODE] [--name NAME] [--phone 0812...] [--role ROLE] [--active=true] | klabot person deactivate --id ID"
	if len(args) == 0 || (args[0] != "set" && args[0] != "deactivate") {
		return usageError{usage}
	}
	fs := flag.NewFlagSet("person "+args[0], flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	id := fs.Int64("id", 0, "the person's id (see `klabot roster list --region CODE`)")
	asJSON := fs.Bool("json", false, "print the person as JSON")
	var opd, name, phone, role *string
	var active *bool
	if args[0] == "set" {
		opd = fs.String("opd", "", "move to this OPD of the region (its code); empty removes the OPD (not for a focal point)")
		name = fs.String("name", "", "the person's name")
		phone = fs.String("phone", "", "phone number for WhatsApp, e.g. 0812 3456 7890; empty clears it")
		role = fs.String("role", "", "focal_point, coordinator, head or admin")
		active = fs.Bool("active", true, "--active=true reactivates a deactivated person")
	}
	if _, err := parseFlagsAnywhere(fs, args[1:]); err != nil {
		return err
	}
	if *id <= 0 {
		return usageError{usage}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var c postgres.PersonChange
	if args[0] == "deactivate" {
		f := false
		c.Active = &f
	} else {
		if set["opd"] {
			c.OPDCode = opd
		}
		if set["name"] {
			c.Name = name
		}
		if set["phone"] {
			if *phone != "" && !validPhone(*phone) {
				return usageError{fmt.Sprintf("--phone %q does not look like a phone number (write it like 0812 3456 7890 or +62 812 3456 7890)", *phone)}
			}
			c.Phone = phone
		}
		if set["role"] {
			r, ok := parseRole(*role)
			if !ok {
				return usageError{fmt.Sprintf("unknown role %q (use focal_point, coordinator, head or admin)", *role)}
			}
			c.Role = &r
		}
		if set["active"] {
			c.Active = active
		}
		if len(set) == 1 || len(set) == 2 && set["json"] {
			return usageError{"person set: give what to change (--opd, --name, --phone, --role or --active)"}
		}
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	store := postgres.New(pool, app.Now)
	p, changed, err := store.ChangePerson(ctx, *id, c)
	if isNotFound(err) && c.OPDCode != nil {
		cur, err2 := store.PersonRecord(ctx, *id)
		if err2 == nil {
			return fmt.Errorf("%s has no OPD %s (%s)", cur.RegionCode, normUpper(*c.OPDCode), opdChoices(ctx, store, cur.RegionCode))
		}
	}
	if isNotFound(err) {
		return fmt.Errorf("no person #%d (see `klabot roster list --region CODE`)", *id)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(app.Stdout).Encode(map[string]any{"person": p, "changed": changed})
	}
	if !changed {
		fmt.Fprintf(app.Stdout, "person #%d %s: nothing changed (%s)\n", p.ID, p.Name, describePerson(p))
		return nil
	}
	fmt.Fprintf(app.Stdout, "person #%d %s: %s\n", p.ID, p.Name, describePerson(p))
	return nil
}

func describePerson(p postgres.PersonRecord) string {
	s := string(p.Role) + ", " + p.RegionCode
	if p.OPDCode != "" {
		s += ", OPD " + p.OPDCode
	}
	if p.Phone != "" {
		s += ", phone " + p.Phone
	}
	if p.Deactivated {
		s += ", deactivated (no chat, digests or nudges; answers kept)"
	} else {
		s += ", active"
	}
	return s
}

// normUpper is how region and OPD codes are written: trimmed, upper case.
func normUpper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
