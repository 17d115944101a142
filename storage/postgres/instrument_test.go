package postgres_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/samples"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentfile"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

func TestSaveInstrumentRoundTrip(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.Instrument(ctx, 2026); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("missing year: err = %v, want ErrNotFound", err)
	}
	in := smallInstrument(2026)
	st, err := s.SaveInstrument(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if want := (postgres.ImportStats{Added: 4, Version: 1}); st != want {
		t.Fatalf("stats = %+v, want %+v", st, want)
	}
	got, err := s.Instrument(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, in)
	}
	// The copy is the caller's: changing it does not change the next answer.
	got.Clusters[0].Indicators[0].Questions[0].Text = "diubah"
	again, _ := s.Instrument(ctx, 2026)
	if again.Clusters[0].Indicators[0].Questions[0].Text != "Ada Perda KLA?" {
		t.Fatal("Instrument returned the cached value itself")
	}
	// Same file again: nothing changes, the version stays.
	st, err = s.SaveInstrument(ctx, smallInstrument(2026))
	if err != nil {
		t.Fatal(err)
	}
	if want := (postgres.ImportStats{Unchanged: 4, Version: 1}); st != want {
		t.Fatalf("second import stats = %+v, want %+v", st, want)
	}
	// No name given: the stored one stays and nothing changes.
	unnamed := smallInstrument(2026)
	unnamed.Name = ""
	if st, err = s.SaveInstrument(ctx, unnamed); err != nil || st.Version != 1 {
		t.Fatalf("unnamed import = %+v, %v", st, err)
	}
	if got, _ := s.Instrument(ctx, 2026); got.Name != "Uji" {
		t.Fatalf("name = %q, want the stored Uji", got.Name)
	}
	// A new name is a change.
	renamed := smallInstrument(2026)
	renamed.Name = "Uji 2"
	if st, err = s.SaveInstrument(ctx, renamed); err != nil || st.Version != 2 || st.Changed() {
		t.Fatalf("renamed import = %+v, %v", st, err)
	}
}

func TestReimportKeepsAnswersAndRetires(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.SaveInstrument(ctx, smallInstrument(2026)); err != nil {
		t.Fatal(err)
	}
	opd := sampleRegion(t, s)
	pid, err := s.UpsertPerson(ctx, conversations.Person{Name: "Sari", Role: conversations.RoleFocalPoint, RegionCode: "KOTA-UJI", OPDID: opd}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"1.1", "4.2"} {
		if _, err := s.Pool().Exec(ctx, `INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, created_at)
			VALUES ('KOTA-UJI', 2026, $1, 1, 'ya', $2, 'console', now())`, q, pid); err != nil {
			t.Fatal(err)
		}
	}
	// New file: 1.2 reworded, 4.2 dropped, 4.3 new.
	in := smallInstrument(2026)
	in.Clusters[0].Indicators[0].Questions[1].Text = "Bentuk kebijakan KLA yang berlaku?"
	ind := &in.Clusters[1].Indicators[0]
	ind.Questions[1] = scoring.Question{Code: "4.3", Text: "Unggah data akta", Type: scoring.File, Weight: 1, OPDCodes: []string{"DISDUKCAPIL"}}
	want := postgres.ImportStats{Added: 1, Updated: 1, Unchanged: 2, Retired: 1, Version: 2}
	plan, err := s.PlanInstrument(ctx, in)
	if err != nil || plan != want {
		t.Fatalf("plan = %+v, %v; want %+v", plan, err, want)
	}
	if v, _ := s.InstrumentVersion(ctx, 2026); v != 1 {
		t.Fatalf("PlanInstrument wrote: version %d", v)
	}
	// 4.2 has an answer: retiring it is refused without Force, and nothing is written.
	if _, err := s.SaveInstrument(ctx, in); !errors.Is(err, postgres.ErrAnswersTouched) || !errors.Is(err, conversations.ErrConflict) {
		t.Fatalf("re-import retiring an answered question: err = %v, want ErrAnswersTouched", err)
	}
	if v, _ := s.InstrumentVersion(ctx, 2026); v != 1 {
		t.Fatalf("refused import wrote: version %d", v)
	}
	res, err := s.ImportInstrument(ctx, in, postgres.ImportOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Stats; st != want {
		t.Fatalf("stats = %+v, want %+v", st, want)
	}
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM answers WHERE region_code = 'KOTA-UJI'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("answers after re-import = %d (%v), want 2", n, err)
	}
	got, err := s.Instrument(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("after re-import:\n got %+v\nwant %+v", got, in)
	}
	var retired bool
	if err := s.Pool().QueryRow(ctx, `SELECT retired FROM questions WHERE year = 2026 AND code = '4.2'`).Scan(&retired); err != nil || !retired {
		t.Fatalf("4.2 retired = %v (%v), want true", retired, err)
	}
	// Bringing 4.2 back un-retires it: an update, not an addition. Its answer counts
	// again, which also needs Force.
	res, err = s.ImportInstrument(ctx, smallInstrument(2026), postgres.ImportOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stats
	if st.Updated != 2 || st.Retired != 1 || st.Added != 0 || st.Version != 3 {
		t.Fatalf("third import stats = %+v", st)
	}
}

func TestSaveInstrumentRefusesInvalid(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	in := smallInstrument(2026)
	in.Clusters[0].Indicators[0].MaxPoints = 500
	if _, err := s.SaveInstrument(ctx, in); !errors.Is(err, conversations.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM instruments`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("instruments = %d (%v), want nothing written", n, err)
	}
}

// storeWithSampleInstrument gives a fresh store holding the 2026 sample instrument.
func storeWithSampleInstrument(b *testing.B) (*postgres.Store, *scoring.Instrument) {
	b.Helper()
	s := postgres.New(pgtest.New(b), nil)
	f, err := samples.Files.Open(samples.Instrument2026)
	if err != nil {
		b.Fatal(err)
	}
	in, err := instrumentfile.Read(samples.Instrument2026, f, 2026, "")
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.SaveInstrument(context.Background(), in); err != nil {
		b.Fatal(err)
	}
	return s, in
}

// BenchmarkInstrument measures the cached path the engine takes on every message: one
// version query and a deep copy of the 131-question sample.
func BenchmarkInstrument(b *testing.B) {
	ctx := context.Background()
	s, _ := storeWithSampleInstrument(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Instrument(ctx, 2026); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaveInstrumentUnchanged measures a re-import of the sample that changes nothing.
func BenchmarkSaveInstrumentUnchanged(b *testing.B) {
	ctx := context.Background()
	s, in := storeWithSampleInstrument(b)
	b.ResetTimer()
	for b.Loop() {
		if st, err := s.SaveInstrument(ctx, in); err != nil || st.Changed() {
			b.Fatal(st, err)
		}
	}
}
