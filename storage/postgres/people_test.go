package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

func TestRegions(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.Region(ctx, "NOWHERE"); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("unknown region: %v", err)
	}
	if err := s.UpsertRegion(ctx, conversations.Region{Code: "X", Name: "X", TimeZone: "Mars/Olympus"}); !errors.Is(err, conversations.ErrInvalid) {
		t.Fatalf("bad zone: %v", err)
	}
	if err := s.UpsertRegion(ctx, conversations.Region{Code: "kab-uji", Name: "Kabupaten Uji", Kind: "kabupaten", Province: "Papua", TimeZone: "Asia/Jayapura", DigestHour: 8}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDeadline(ctx, "KAB-UJI", time.Date(2026, 12, 18, 23, 0, 0, 0, time.FixedZone("WIT", 9*3600))); err != nil {
		t.Fatal(err)
	}
	r, err := s.Region(ctx, "kab-uji")
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != "KAB-UJI" || r.Kind != "kabupaten" || r.TimeZone != "Asia/Jayapura" || r.DigestHour != 8 ||
		r.Deadline == nil || r.Deadline.Format("2006-01-02") != "2026-12-18" || r.Year != 0 {
		t.Fatalf("region = %+v (deadline %v)", r, r.Deadline)
	}
	if err := s.SetDeadline(ctx, "NOWHERE", time.Now()); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("deadline of unknown region: %v", err)
	}
	rs, err := s.Regions(ctx)
	if err != nil || len(rs) != 1 {
		t.Fatalf("regions = %v, %v", rs, err)
	}
}

func TestPeopleAndIdentities(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	opd := sampleRegion(t, s)
	opds, err := s.OPDs(ctx, "KOTA-UJI")
	if err != nil || len(opds) != 1 || opds[0].ID != opd || opds[0].RegionCode != "KOTA-UJI" || len(opds[0].AnswersFor) != 2 || opds[0].AnswersFor[0] != "DP3A" {
		t.Fatalf("OPDs = %+v, %v", opds, err)
	}
	// Default answers_for is the OPD's own code.
	if _, err := s.UpsertOPD(ctx, "KOTA-UJI", "dinkes", "Dinas Kesehatan", nil); err != nil {
		t.Fatal(err)
	}
	if o, err := s.OPDByCode(ctx, "KOTA-UJI", "DINKES"); err != nil || len(o.AnswersFor) != 1 || o.AnswersFor[0] != "DINKES" || o.RegionCode != "KOTA-UJI" {
		t.Fatalf("DINKES = %+v, %v", o, err)
	}
	if _, err := s.UpsertOPD(ctx, "NOWHERE", "X", "X", nil); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("OPD in unknown region: %v", err)
	}
	fp := conversations.Person{Name: "Sari  Wulandari", Role: conversations.RoleFocalPoint, RegionCode: "KOTA-UJI", OPDCode: "DP3AP2KB"}
	id1, err := s.UpsertPerson(ctx, fp, "0812-3456-7890")
	if err != nil {
		t.Fatal(err)
	}
	fp.Name = "sari wulandari"
	id2, err := s.UpsertPerson(ctx, fp, "")
	if err != nil || id2 != id1 {
		t.Fatalf("second upsert = %d, %v; want %d", id2, err, id1)
	}
	if _, err := s.UpsertPerson(ctx, conversations.Person{Name: "Tanpa OPD", Role: conversations.RoleFocalPoint, RegionCode: "KOTA-UJI"}, ""); !errors.Is(err, conversations.ErrInvalid) {
		t.Fatalf("focal point without OPD: %v", err)
	}
	if _, err := s.UpsertPerson(ctx, conversations.Person{Name: "X", Role: "boss", RegionCode: "KOTA-UJI"}, ""); !errors.Is(err, conversations.ErrInvalid) {
		t.Fatalf("unknown role: %v", err)
	}
	p, err := s.Person(ctx, id1)
	if err != nil || p.OPDCode != "DP3AP2KB" || p.OPDName != "Dinas P3AP2KB" || p.Name != "Sari Wulandari" || p.Language != "id" {
		t.Fatalf("person = %+v, %v", p, err)
	}
	if p, err := s.PersonByPhone(ctx, "+62 812 3456 7890"); err != nil || p.ID != id1 {
		t.Fatalf("by phone = %+v, %v", p, err)
	}
	if _, err := s.PersonByIdentity(ctx, conversations.ChannelTelegram, "42"); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("unknown identity: %v", err)
	}
	if err := s.BindIdentity(ctx, id1, conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: "42", ChatID: "42"}); err != nil {
		t.Fatal(err)
	}
	if err := s.BindIdentity(ctx, 999999, conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: "43"}); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("bind to unknown person: %v", err)
	}
	if p, err := s.PersonByIdentity(ctx, conversations.ChannelTelegram, "42"); err != nil || p.ID != id1 {
		t.Fatalf("by identity = %+v, %v", p, err)
	}
	ids, err := s.Identities(ctx, id1)
	if err != nil || len(ids) != 1 || ids[0].ChatID != "42" {
		t.Fatalf("identities = %+v, %v", ids, err)
	}
	if _, err := s.UpsertPerson(ctx, conversations.Person{Name: "Wali Kota Uji", Role: conversations.RoleHead, RegionCode: "KOTA-UJI"}, ""); err != nil {
		t.Fatal(err)
	}
	people, err := s.People(ctx, "KOTA-UJI")
	if err != nil || len(people) != 2 {
		t.Fatalf("people = %+v, %v", people, err)
	}
}

func TestInvites(t *testing.T) {
	t.Parallel()
	s, clock := newStore(t)
	ctx := context.Background()
	opd := sampleRegion(t, s)
	pid, err := s.UpsertPerson(ctx, conversations.Person{Name: "Budi", Role: conversations.RoleFocalPoint, RegionCode: "KOTA-UJI", OPDID: opd}, "")
	if err != nil {
		t.Fatal(err)
	}
	tg := conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: "7", ChatID: "7"}

	if _, err := s.RedeemInvite(ctx, "ZZZZZZZZZZ", tg); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
	code, err := s.CreateInvite(ctx, pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 10 {
		t.Fatalf("code %q has %d characters", code, len(code))
	}
	var stored int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM invites WHERE code_hash = $1`, code).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("code stored in clear (%d, %v)", stored, err)
	}
	// Typed on a phone: lower case with a space.
	p, err := s.RedeemInvite(ctx, " "+code[:5]+" "+toLower(code[5:]), tg)
	if err != nil || p.ID != pid || p.OPDCode != "DP3AP2KB" {
		t.Fatalf("redeem = %+v, %v", p, err)
	}
	if p, err := s.PersonByIdentity(ctx, conversations.ChannelTelegram, "7"); err != nil || p.ID != pid {
		t.Fatalf("identity not bound: %+v, %v", p, err)
	}
	other := conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: "8"}
	if _, err := s.RedeemInvite(ctx, code, other); !errors.Is(err, conversations.ErrConflict) {
		t.Fatalf("reused code: %v", err)
	}
	if _, err := s.PersonByIdentity(ctx, conversations.ChannelTelegram, "8"); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("a reused code bound an identity: %v", err)
	}

	short, err := s.CreateInvite(ctx, pid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(time.Hour)
	if _, err := s.RedeemInvite(ctx, short, other); !errors.Is(err, conversations.ErrExpired) {
		t.Fatalf("expired code: %v", err)
	}
	if _, err := s.CreateInvite(ctx, 999999, 0); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("invite for unknown person: %v", err)
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestImportRosterIsIdempotent(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	if err := s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-UJI", Name: "Kota Uji"}); err != nil {
		t.Fatal(err)
	}
	rows := []postgres.RosterRow{
		{OPDCode: "DP3AP2KB", OPDName: "Dinas P3AP2KB", Name: "Rina", Role: conversations.RoleCoordinator, AnswersFor: []string{"DP3A", "DPPKB"}},
		{OPDCode: "DINKES", OPDName: "Dinas Kesehatan", Name: "dr. Andi", Role: conversations.RoleFocalPoint, Phone: "081200000001"},
		{OPDCode: "DINKES", Name: "Maya", Role: conversations.RoleFocalPoint},
		{Name: "Wali Kota Uji", Role: conversations.RoleHead},
	}
	want := postgres.RosterStats{OPDs: 2, PeopleAdded: 4}
	for i := range 2 {
		st, err := s.ImportRoster(ctx, "kota-uji", rows)
		if err != nil {
			t.Fatal(err)
		}
		if st != want {
			t.Fatalf("import %d stats = %+v, want %+v", i+1, st, want)
		}
		want = postgres.RosterStats{OPDs: 2, PeopleExisted: 4}
	}
	people, _ := s.People(ctx, "KOTA-UJI")
	opds, _ := s.OPDs(ctx, "KOTA-UJI")
	if len(people) != 4 || len(opds) != 2 || opds[0].Code != "DINKES" || opds[1].AnswersFor[1] != "DPPKB" {
		t.Fatalf("people %d, opds %+v", len(people), opds)
	}
	bad := []postgres.RosterRow{{OPDCode: "BAPPEDA", Name: "Joko", Role: conversations.RoleFocalPoint}, {Name: "Tono", Role: conversations.RoleFocalPoint}}
	if _, err := s.ImportRoster(ctx, "KOTA-UJI", bad); !errors.Is(err, conversations.ErrInvalid) {
		t.Fatalf("focal point without OPD: %v", err)
	}
	if o, _ := s.OPDs(ctx, "KOTA-UJI"); len(o) != 2 {
		t.Fatalf("a failed roster wrote OPDs: %+v", o)
	}
	if _, err := s.ImportRoster(ctx, "NOWHERE", rows); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("unknown region: %v", err)
	}
}

func TestInviteRedeemedOnceUnderRace(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	opd := sampleRegion(t, s)
	pid, err := s.UpsertPerson(ctx, conversations.Person{Name: "Budi", Role: conversations.RoleFocalPoint, RegionCode: "KOTA-UJI", OPDID: opd}, "")
	if err != nil {
		t.Fatal(err)
	}
	code, err := s.CreateInvite(ctx, pid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.RedeemInvite(ctx, code, conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: fmt.Sprint(100 + i)})
			errs <- err
		}()
	}
	ok, conflict := 0, 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, conversations.ErrConflict):
			conflict++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Fatalf("%d redeemed, %d conflicts; want 1 and %d", ok, conflict, n-1)
	}
	ids, err := s.Identities(ctx, pid)
	if err != nil || len(ids) != 1 {
		t.Fatalf("identities = %+v, %v; want exactly one", ids, err)
	}
}

func TestConcurrentUpsertPersonMakesOne(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	opd := sampleRegion(t, s)
	const n = 5
	ids := make(chan int64, n)
	for range n {
		go func() {
			id, err := s.UpsertPerson(ctx, conversations.Person{Name: "Sari", Role: conversations.RoleFocalPoint, RegionCode: "KOTA-UJI", OPDID: opd}, "")
			if err != nil {
				t.Error(err)
			}
			ids <- id
		}()
	}
	first := <-ids
	for range n - 1 {
		if id := <-ids; id != first {
			t.Fatalf("concurrent upserts gave ids %d and %d", first, id)
		}
	}
}

// TestDeactivatedPeopleGetNothing: a deactivated coordinator is no digest recipient, a
// deactivated person is unknown to the chat and absent from People, their answers stay.
func TestDeactivatedPeopleGetNothing(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	opd := sampleRegion(t, s)
	coord, err := s.UpsertPerson(ctx, conversations.Person{Name: "Bu Koor", Role: conversations.RoleCoordinator, RegionCode: "KOTA-UJI", OPDID: opd}, "0812 1111 2222")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.BindIdentity(ctx, coord, conversations.Identity{Channel: conversations.ChannelTelegram, ExternalID: "42"}); err != nil {
		t.Fatal(err)
	}
	recipients := func() int {
		m, err := s.RegionCoordinators(ctx, []string{"KOTA-UJI"})
		if err != nil {
			t.Fatal(err)
		}
		return len(m["KOTA-UJI"])
	}
	if recipients() != 1 {
		t.Fatal("coordinator is no recipient before deactivation")
	}
	f := false
	p, changed, err := s.ChangePerson(ctx, coord, postgres.PersonChange{Active: &f})
	if err != nil || !changed || !p.Deactivated {
		t.Fatalf("deactivate: %+v %v %v", p, changed, err)
	}
	if recipients() != 0 {
		t.Error("a deactivated coordinator still gets the digest")
	}
	if _, err := s.PersonByIdentity(ctx, conversations.ChannelTelegram, "42"); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("PersonByIdentity of a deactivated person: %v", err)
	}
	if _, err := s.PersonByPhone(ctx, "081211112222"); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("PersonByPhone of a deactivated person: %v", err)
	}
	if people, _ := s.People(ctx, "KOTA-UJI"); len(people) != 0 {
		t.Errorf("People lists the deactivated: %+v", people)
	}
	// Deactivating again changes nothing; the roster import does not duplicate them.
	if _, changed, _ := s.ChangePerson(ctx, coord, postgres.PersonChange{Active: &f}); changed {
		t.Error("deactivating twice reported a change")
	}
	id, err := s.UpsertPerson(ctx, conversations.Person{Name: "bu koor", Role: conversations.RoleCoordinator, RegionCode: "KOTA-UJI", OPDID: opd}, "")
	if err != nil || id != coord {
		t.Errorf("roster upsert of a deactivated person: #%d (%v), want #%d", id, err, coord)
	}
}
