package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// rosterRegion makes region KOTA-UJI (WIB) with the instrument file for 2026.
func rosterRegion(t *testing.T, instrument string) *foundationApp {
	t.Helper()
	f := newFoundationApp(t)
	if _, err := f.run("import", instrument, "--year", "2026"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run("region", "add", "--code", "KOTA-UJI", "--name", "Kota Uji", "--tz", "WIB", "--year", "2026"); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRosterImportRefusesWithRowNumbers(t *testing.T) {
	t.Parallel()
	f := rosterRegion(t, "../../samples/instrument-template.csv")
	_, err := f.run("roster", "import", "testdata/roster-bad-phones.csv", "--region", "KOTA-UJI")
	for _, want := range []string{`row 2, column phone: "0812-ABC-99" does not look like a phone number`,
		`row 4, column role: unknown role "guru"`, `row 5, column phone: "12345"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	_, err = f.run("roster", "import", "testdata/roster-unknown-codes.csv", "--region", "KOTA-UJI", "--dry-run")
	for _, want := range []string{`row 2, column answers_for: unknown OPD code "DPPPKB"`, `; also row 3, 4`, `row 6, column answers_for: unknown OPD code "PERKIMM"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	if n := f.count("people"); n != 0 {
		t.Fatalf("refused rosters wrote %d people", n)
	}
}

// TestRosterDryRunCoverage: the dry run shows the coverage warning of the roster as it
// would be, counting the questions that reach nobody (not question×code pairs).
func TestRosterDryRunCoverage(t *testing.T) {
	t.Parallel()
	f := rosterRegion(t, "../../samples/instrument-template.csv")
	out, err := f.run("roster", "import", "testdata/roster-dp3a-only.csv", "--region", "KOTA-UJI", "--dry-run")
	want := "warning: no OPD of KOTA-UJI answers for BAGHUKUM, BAPPEDA, DINKES, DISDIK, DISDUKCAPIL, KEMENAG (4 questions of the 2026 instrument reach nobody)"
	if err != nil || !strings.Contains(out, "nothing written (dry run)") || !strings.Contains(out, want) {
		t.Fatalf("dry run: %v\n%s\nwant %s", err, out, want)
	}
	if n := f.count("opds"); n != 0 {
		t.Fatalf("dry run wrote %d OPDs", n)
	}
	out, err = f.run("roster", "import", "testdata/roster-dp3a-only.csv", "--region", "KOTA-UJI")
	if err != nil || !strings.Contains(out, want) {
		t.Fatalf("import: %v\n%s", err, out)
	}
}

// TestPersonMoveDeactivateAndInviteBinding: an invite for a roster name binds to that
// person; a person moves to another OPD keeping their answers; a deactivated person
// loses chat access, digests and nudges but keeps their history.
func TestPersonMoveDeactivateAndInviteBinding(t *testing.T) {
	t.Parallel()
	f := rosterRegion(t, "../../samples/instrument-sample-2026.csv")
	if _, err := f.run("roster", "import", "../../samples/region-sample.csv", "--region", "KOTA-UJI"); err != nil {
		t.Fatal(err)
	}
	before := f.count("people")
	app := NewApp(func(k string) string { return f.env[k] }, nil, &f.out, &f.err)
	defer app.Close()
	ctx := context.Background()
	pool, err := app.DB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.New(pool, nil)
	people, err := store.People(ctx, "KOTA-UJI")
	if err != nil {
		t.Fatal(err)
	}
	var fp conversations.Person
	for _, p := range people {
		if p.Role == conversations.RoleFocalPoint {
			fp = p
			break
		}
	}
	// The invite names the roster person in other spacing and case, without --opd.
	out, err := f.run("invite", "--region", "KOTA-UJI", "--role", "focal_point", "--name", "  "+strings.ToUpper(fp.Name)+" ", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var inv struct {
		Code     string
		PersonID int64 `json:"person_id"`
	}
	if err := json.Unmarshal([]byte(out), &inv); err != nil || inv.PersonID != fp.ID {
		t.Fatalf("invite bound to #%d (%s), want roster person #%d", inv.PersonID, out, fp.ID)
	}
	if f.count("people") != before {
		t.Fatal("the invite created a duplicate of a roster person")
	}
	// A different role for a roster name is refused with what to do.
	if _, err := f.run("invite", "--region", "KOTA-UJI", "--role", "head", "--name", fp.Name); err == nil || !strings.Contains(err.Error(), "person set --id") {
		t.Fatalf("invite with another role: %v", err)
	}

	// Move to another OPD.
	var other string
	opds, _ := store.OPDs(ctx, "KOTA-UJI")
	for _, o := range opds {
		if o.ID != fp.OPDID {
			other = o.Code
			break
		}
	}
	id := func() string { return jsonID(fp.ID) }
	out, err = f.run("person", "set", "--id", id(), "--opd", strings.ToLower(other))
	if err != nil || !strings.Contains(out, "OPD "+other) {
		t.Fatalf("move: %v\n%s", err, out)
	}
	if out, err = f.run("person", "set", "--id", id(), "--opd", other); err != nil || !strings.Contains(out, "nothing changed") {
		t.Fatalf("move again: %v\n%s", err, out)
	}
	if _, err := f.run("person", "set", "--id", id(), "--opd", "NOPE"); err == nil || !strings.Contains(err.Error(), "has no OPD NOPE") {
		t.Fatalf("move to an unknown OPD: %v", err)
	}
	if _, err := f.run("person", "set", "--id", id(), "--phone", "0812-ABC"); err == nil {
		t.Fatal("accepted a malformed phone")
	}

	// Bind a chat, then deactivate: the chat is no longer known, the person leaves the
	// roster list and the recipients, the invite left open cannot be redeemed.
	if err := store.BindIdentity(ctx, fp.ID, conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: "777"}); err != nil {
		t.Fatal(err)
	}
	if out, err = f.run("person", "deactivate", "--id", id()); err != nil || !strings.Contains(out, "deactivated") {
		t.Fatalf("deactivate: %v\n%s", err, out)
	}
	if _, err := store.PersonByIdentity(ctx, conversations.ChannelTelegram, "777"); !isNotFound(err) {
		t.Fatalf("deactivated person still chats: %v", err)
	}
	if _, err := store.RedeemInvite(ctx, inv.Code, conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: "778"}); err == nil {
		t.Fatal("an open invite of a deactivated person still works")
	}
	after, _ := store.People(ctx, "KOTA-UJI")
	if len(after) != len(people)-1 {
		t.Fatalf("people listed after deactivation: %d, was %d", len(after), len(people))
	}
	if _, err := f.run("invite", "--region", "KOTA-UJI", "--role", "focal_point", "--name", fp.Name); err == nil || !strings.Contains(err.Error(), "deactivated") {
		t.Fatalf("invite for a deactivated person: %v", err)
	}
	if f.count("people") != before {
		t.Fatal("deactivation or a refused invite changed the people count")
	}
	if out, err = f.run("person", "set", "--id", id(), "--active=true"); err != nil || !strings.Contains(out, "active") {
		t.Fatalf("reactivate: %v\n%s", err, out)
	}
	if _, err := store.PersonByIdentity(ctx, conversations.ChannelTelegram, "777"); err != nil {
		t.Fatalf("reactivated person: %v", err)
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }
