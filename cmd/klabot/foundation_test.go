package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// foundationApp runs klabot commands against a fresh database, capturing output.
type foundationApp struct {
	t        *testing.T
	env      map[string]string
	now      time.Time // the commands' clock
	out, err bytes.Buffer
}

func newFoundationApp(t *testing.T) *foundationApp {
	t.Helper()
	return &foundationApp{t: t, env: map[string]string{"DATABASE_URL": pgtest.URL(t), "KLA_YEAR": "2026"},
		now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

// run runs one command line and returns its stdout and error.
func (f *foundationApp) run(args ...string) (string, error) {
	f.out.Reset()
	f.err.Reset()
	app := NewApp(func(k string) string { return f.env[k] }, strings.NewReader(""), &f.out, &f.err)
	app.Now = func() time.Time { return f.now }
	defer app.Close()
	err := run(context.Background(), app, args)
	return f.out.String(), err
}

func (f *foundationApp) count(table string) int {
	f.t.Helper()
	app := NewApp(func(k string) string { return f.env[k] }, nil, &f.out, &f.err)
	defer app.Close()
	pool, err := app.DB(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestSeedTwiceIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFoundationApp(t)
	out, err := f.run("seed")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "added 131") || !strings.Contains(out, "1.000 points") || strings.Contains(out, "warning") {
		t.Fatalf("first seed said:\n%s", out)
	}
	counts := map[string]int{}
	for _, table := range []string{"questions", "regions", "opds", "people", "indicators"} {
		counts[table] = f.count(table)
	}
	if counts["indicators"] != 24 || counts["opds"] < 15 || counts["people"] < 10 {
		t.Fatalf("after seed: %v", counts)
	}
	out, err = f.run("seed")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "unchanged 131") || !strings.Contains(out, "0 people added") {
		t.Fatalf("second seed said:\n%s", out)
	}
	for table, n := range counts {
		if got := f.count(table); got != n {
			t.Errorf("%s: %d rows after second seed, %d before", table, got, n)
		}
	}
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	f := newFoundationApp(t)
	if _, err := f.run("import", "../../samples/instrument-template.csv"); err == nil || !strings.Contains(err.Error(), "--year") {
		t.Fatalf("import without --year: %v", err)
	}
	for _, bad := range []string{"missing-column.csv", "points-not-1000.csv", "duplicate-codes.csv", "unknown-type.csv",
		"broken-options.csv", "latin1.csv", "empty.csv", "no-opd.csv"} {
		_, err := f.run("import", "../../scoring/instrumentfile/testdata/"+bad, "--year", "2026")
		if err == nil || !strings.Contains(err.Error(), "row") {
			t.Errorf("%s: err = %v, want one naming a row", bad, err)
		}
	}
	if n := f.count("instruments"); n != 0 {
		t.Fatalf("bad files wrote %d instruments", n)
	}
	if out, err := f.run("import", "../../samples/instrument-template.xlsx", "--year", "2026", "--dry-run"); err != nil || !strings.Contains(out, "nothing written") {
		t.Fatalf("dry run: %q, %v", out, err)
	}
	if n := f.count("instruments"); n != 0 {
		t.Fatal("dry run wrote an instrument")
	}
	out, err := f.run("import", "../../samples/instrument-template.csv", "--year", "2026", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Stats struct{ Added, Version int }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Stats.Added != 10 || res.Stats.Version != 1 {
		t.Fatalf("json = %s (%v)", out, err)
	}
}

func TestRegionRosterInvite(t *testing.T) {
	t.Parallel()
	f := newFoundationApp(t)
	f.env["TELEGRAM_BOT_USERNAME"] = "@klabot_uji_bot"
	if _, err := f.run("invite", "--region", "KAB-MAROS", "--role", "head", "--name", "Bupati"); err == nil || !strings.Contains(err.Error(), "unknown region KAB-MAROS") {
		t.Fatalf("invite in unknown region: %v", err)
	}
	if _, err := f.run("region", "add", "--code", "kab-maros", "--name", "Kabupaten Maros", "--tz", "Asia/Makassar", "--deadline", "30/11/2026"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run("region", "add", "--code", "KAB-MAROS", "--name", "Lagi"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second add: %v", err)
	}
	if _, err := f.run("region", "add", "--code", "KAB-X", "--name", "X", "--tz", "Asia/Bandung"); err == nil {
		t.Fatal("accepted an unknown zone")
	} else if !strings.Contains(err.Error(), `unknown time zone "Asia/Bandung"`) || !strings.Contains(err.Error(), "Asia/Makassar") {
		t.Fatalf("unknown zone: %v", err)
	}
	out, err := f.run("region", "list")
	if err != nil || !strings.Contains(out, "KAB-MAROS") || !strings.Contains(out, "kabupaten") || !strings.Contains(out, "30/11/2026") {
		t.Fatalf("list: %s %v", out, err)
	}
	if _, err := f.run("invite", "--region", "KAB-MAROS", "--role", "focal_point", "--name", "Andi"); err == nil || !strings.Contains(err.Error(), "needs an OPD") {
		t.Fatalf("focal point without OPD: %v", err)
	}
	for range 2 {
		out, err = f.run("roster", "import", "../../samples/region-sample.csv", "--region", "KAB-MAROS")
		if err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(out, "0 people added") {
		t.Fatalf("second roster import: %s", out)
	}
	// With the year's instrument in place, OPD codes nobody answers for are named.
	if _, err := f.run("import", "../../samples/instrument-sample-2026.csv", "--year", "2026"); err != nil {
		t.Fatal(err)
	}
	out, err = f.run("roster", "import", "testdata/roster-small.csv", "--region", "KAB-MAROS")
	if err != nil || strings.Contains(out, "warning") {
		t.Fatalf("full roster warned: %s %v", out, err)
	}
	f.run("region", "add", "--code", "KOTA-KECIL", "--name", "Kota Kecil")
	out, err = f.run("roster", "import", "testdata/roster-small.csv", "--region", "KOTA-KECIL")
	if err != nil || !strings.Contains(out, "warning: no OPD of KOTA-KECIL answers for BAGHUKUM, BAPAS") {
		t.Fatalf("small roster: %s %v", out, err)
	}
	// BAPPEDA is an OPD of KAB-MAROS only: KOTA-KECIL cannot invite for it.
	if _, err := f.run("invite", "--region", "KOTA-KECIL", "--role", "focal_point", "--opd", "BAPPEDA", "--name", "Budi"); err == nil || !strings.Contains(err.Error(), "KOTA-KECIL has no OPD BAPPEDA") {
		t.Fatalf("OPD of another region: %v", err)
	}
	_, err = f.run("roster", "import", "testdata/roster-bad.csv", "--region", "KAB-MAROS")
	for _, want := range []string{`row 2, column role: unknown role "bos"`, "row 3, column opd_code: a focal point needs", "row 4, column name: empty"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad roster: want %q in %v", want, err)
		}
	}
	if _, err := f.run("invite", "--region", "KAB-MAROS", "--role", "focal_point", "--opd", "DINAS-X", "--name", "Andi"); err == nil || !strings.Contains(err.Error(), "has no OPD DINAS-X") {
		t.Fatalf("unknown OPD: %v", err)
	}
	out, err = f.run("invite", "--region", "KAB-MAROS", "--role", "focal_point", "--opd", "dinkes", "--name", "Maya Sari, S.K.M.", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var inv struct{ Code, Link string }
	if err := json.Unmarshal([]byte(out), &inv); err != nil || len(inv.Code) != 10 || inv.Link != "https://t.me/klabot_uji_bot?start="+inv.Code {
		t.Fatalf("invite json = %s (%v)", out, err)
	}
	before := f.count("people")
	if _, err := f.run("invite", "--region", "KAB-MAROS", "--role", "focal_point", "--opd", "DINKES", "--name", "Maya Sari, S.K.M."); err != nil {
		t.Fatal(err)
	}
	if f.count("people") != before {
		t.Fatal("inviting a known person created a second one")
	}
}

func TestRegionSetChangesOnlyWhatIsGiven(t *testing.T) {
	t.Parallel()
	f := newFoundationApp(t)
	if _, err := f.run("region", "add", "--code", "KAB-MAROS", "--name", "Kabupaten Maros", "--tz", "Asia/Makassar", "--deadline", "30/11/2026"); err != nil {
		t.Fatal(err)
	}
	out, err := f.run("region", "set", "--code", "kab-maros", "--digest-hour", "9")
	if want := `region KAB-MAROS "Kabupaten Maros" (kabupaten, ): Asia/Makassar, digest at 09:00, deadline 30/11/2026, year 2026`; err != nil || strings.TrimSpace(out) != want {
		t.Fatalf("set digest hour:\n got %q (%v)\nwant %q", out, err, want)
	}
	if _, err := f.run("region", "set", "--code", "KAB-MAROS", "--tz", "Asia/Bandung"); err == nil || !strings.Contains(err.Error(), `unknown time zone "Asia/Bandung"`) {
		t.Fatalf("set an unknown zone: %v", err)
	}
	out, err = f.run("region", "set", "--code", "KAB-MAROS", "--deadline", "none")
	if err != nil || !strings.Contains(out, "Asia/Makassar, digest at 09:00, no deadline") {
		t.Fatalf("clear the deadline (the refused zone must not have stuck): %q %v", out, err)
	}
	if _, err := f.run("region", "set", "--code", "KAB-NOPE", "--digest-hour", "8"); err == nil || !strings.Contains(err.Error(), "unknown region KAB-NOPE") {
		t.Fatalf("set an unknown region: %v", err)
	}
	// Nothing to change: said so, nothing written.
	if out, err := f.run("region", "set", "--code", "KAB-MAROS", "--digest-hour", "9", "--tz", "WITA"); err != nil || !strings.Contains(out, "nothing changed") {
		t.Fatalf("set with the current values: %q %v", out, err)
	}
}

// TestRegionZonesAndDeadlines: --tz takes WIB/WITA/WIT and only Indonesia's zones; a
// past deadline is refused as in the chat's tenggat (today is fine).
func TestRegionZonesAndDeadlines(t *testing.T) {
	t.Parallel()
	f := newFoundationApp(t)
	f.now = time.Date(2026, 12, 1, 18, 30, 0, 0, time.UTC) // 2 December already in WIT
	for zone, want := range map[string]string{"WIB": "Asia/Jakarta", "wita": "Asia/Makassar", "WIT": "Asia/Jayapura", "asia/pontianak": "Asia/Pontianak"} {
		code := "KOTA-" + strings.ToUpper(strings.ReplaceAll(zone, "/", "-"))
		out, err := f.run("region", "add", "--code", code, "--name", "Kota "+zone, "--tz", zone)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("--tz %s: %q %v, want %s", zone, out, err, want)
		}
	}
	for _, zone := range []string{"Europe/Berlin", "UTC", "Asia/Bandung", "WITT"} {
		if _, err := f.run("region", "add", "--code", "KOTA-X", "--name", "X", "--tz", zone); err == nil || !strings.Contains(err.Error(), "WIB, WITA or WIT") {
			t.Errorf("--tz %s: %v", zone, err)
		}
	}
	// 18:30 UTC is 01:30 WIB on 2 December: 1 December is yesterday there.
	if _, err := f.run("region", "set", "--code", "KOTA-WIB", "--deadline", "01/12/2026"); err == nil || !strings.Contains(err.Error(), "in the past") {
		t.Errorf("yesterday (in WIB) as deadline: %v", err)
	}
	if out, err := f.run("region", "set", "--code", "KOTA-WIB", "--deadline", "02/12/2026"); err != nil || !strings.Contains(out, "deadline 02/12/2026") {
		t.Errorf("today as deadline: %q %v", out, err)
	}
	if _, err := f.run("region", "add", "--code", "KOTA-Y", "--name", "Y", "--deadline", "30/11/2026"); err == nil || !strings.Contains(err.Error(), "in the past") {
		t.Errorf("add with a past deadline: %v", err)
	}
}

func TestInviteRefusesBadFlagsBeforeWriting(t *testing.T) {
	t.Parallel()
	f := newFoundationApp(t)
	if _, err := f.run("region", "add", "--code", "KAB-MAROS", "--name", "Kabupaten Maros", "--tz", "Asia/Makassar"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--region", "KAB-MAROS", "--role", "bupati", "--name", "Andi"}, `unknown role "bupati"`},
		{[]string{"--region", "KAB-MAROS", "--role", "head", "--name", "Andi", "--ttl", "-1h"}, "--ttl must be positive"},
		{[]string{"--region", "KAB-MAROS", "--role", "head", "--name", "  "}, "usage: klabot invite"},
	} {
		_, err := f.run(append([]string{"invite"}, tc.args...)...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("invite %v: %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
	if n := f.count("people"); n != 0 {
		t.Errorf("%d people written by refused invites", n)
	}
	if n := f.count("invites"); n != 0 {
		t.Errorf("%d invites written by refused invites", n)
	}
}
