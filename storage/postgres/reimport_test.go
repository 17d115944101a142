package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentdiff"
	"github.com/klabot/klabot/storage/postgres"
)

// answeredYear imports smallInstrument(2026) into a fresh store and answers every question
// in KOTA-UJI: 1.1 ya (with a file), 1.2 SK, 4.1 3, 4.2 87.5.
func answeredYear(t *testing.T) (*postgres.Store, int64) {
	t.Helper()
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
	for _, a := range []struct {
		code, text string
		number     *float64
	}{{"1.1", "ya", nil}, {"1.2", "SK", nil}, {"4.1", "", ptr(3)}, {"4.2", "", ptr(87.5)}} {
		var id int64
		if err := s.Pool().QueryRow(ctx, `INSERT INTO answers (region_code, year, question_code, version, value_text, value_number, person_id, channel, created_at)
			VALUES ('KOTA-UJI', 2026, $1, 1, $2, $3, $4, 'console', now()) RETURNING id`, a.code, a.text, a.number, pid).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if a.code == "1.1" {
			if _, err := s.Pool().Exec(ctx, `INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
				VALUES ($1, 'abc123', 'application/pdf', 2048, 'perda.pdf', $2, 'console', now())`, id, pid); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s, pid
}

func ptr(f float64) *float64 { return &f }

func question(in *scoring.Instrument, code string) *scoring.Question {
	for ci := range in.Clusters {
		for ii := range in.Clusters[ci].Indicators {
			ind := &in.Clusters[ci].Indicators[ii]
			for qi := range ind.Questions {
				if ind.Questions[qi].Code == code {
					return &ind.Questions[qi]
				}
			}
		}
	}
	panic(code)
}

// points returns the claimed points of every question of the region's report.
func points(t *testing.T, s *postgres.Store, year int) map[string]float64 {
	t.Helper()
	in, err := s.ScoreInput(context.Background(), "KOTA-UJI", year)
	if err != nil {
		t.Fatal(err)
	}
	r := scoring.NewModel(*in.Instrument, nil).Score(in.OPDs, in.Answers)
	out := map[string]float64{"total": r.Claimed.Points}
	for _, q := range r.Results {
		out[q.Code] = q.Claimed
	}
	return out
}

// TestReimportRefusesTouchingAnswers is the trap of the issue: a file that retires an
// answered question, turns a number into yes_partial_no and renames an option used to
// be applied with exit 0 and the score fell. Now the diff names each change with the
// answers it touches, the import is refused and nothing is written.
func TestReimportRefusesTouchingAnswers(t *testing.T) {
	t.Parallel()
	s, _ := answeredYear(t)
	ctx := context.Background()
	before := points(t, s, 2026)

	in := smallInstrument(2026)
	question(in, "1.2").Options[1].Label = "SK atau SE" // safe: same position and fraction
	q41 := question(in, "4.1")
	q41.Type, q41.Bands = scoring.YesPartialNo, nil // touches the answer 3
	ind := &in.Clusters[1].Indicators[0]            // retires 4.2 (answered), adds 4.3
	ind.Questions[1] = scoring.Question{Code: "4.3", Text: "Unggah data akta", Type: scoring.File, Weight: 1, OPDCodes: []string{"DISDUKCAPIL"}}

	res, err := s.ImportInstrument(ctx, in, postgres.ImportOptions{})
	if !errors.Is(err, postgres.ErrAnswersTouched) {
		t.Fatalf("err = %v, want ErrAnswersTouched", err)
	}
	d := res.Diff
	if d.Touched() != 2 || d.Count(instrumentdiff.Added) != 1 || d.Count(instrumentdiff.Retired) != 1 || d.Count(instrumentdiff.Changed) != 2 {
		t.Fatalf("diff = %+v", d)
	}
	for _, c := range d.Changes {
		switch c.Code {
		case "1.2":
			if c.Touched != 0 || len(c.Renames) != 1 || c.Renames[0] != (instrumentdiff.Rename{From: "SK", To: "SK atau SE", Answers: 1}) {
				t.Fatalf("1.2 = %+v", c)
			}
		case "4.1", "4.2":
			if c.Touched != 1 || c.Answers != 1 {
				t.Fatalf("%s = %+v", c.Code, c)
			}
		}
	}
	if v, _ := s.InstrumentVersion(ctx, 2026); v != 1 {
		t.Fatalf("refused import wrote: version %d", v)
	}
	if after := points(t, s, 2026); !equalPoints(after, before) {
		t.Fatalf("a refused import changed the points: %v, was %v", after, before)
	}
	var label string
	if err := s.Pool().QueryRow(ctx, `SELECT value_text FROM answers WHERE question_code = '1.2'`).Scan(&label); err != nil || label != "SK" {
		t.Fatalf("refused import relabelled: %q (%v)", label, err)
	}

	// A dry run gives the same diff without an error and writes nothing.
	plan, err := s.ImportInstrument(ctx, in, postgres.ImportOptions{DryRun: true})
	if err != nil || plan.Diff.Touched() != 2 {
		t.Fatalf("dry run = %+v, %v", plan.Diff, err)
	}

	// With Force it is applied; the untouched question 1.1 keeps its points, the renamed
	// option keeps its answer.
	res, err = s.ImportInstrument(ctx, in, postgres.ImportOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Relabelled != 1 {
		t.Fatalf("relabelled = %d, want 1", res.Relabelled)
	}
	after := points(t, s, 2026)
	if after["1.1"] != before["1.1"] || after["1.2"] != before["1.2"] || before["1.2"] == 0 {
		t.Fatalf("untouched or renamed questions changed: %v, was %v", after, before)
	}
	if after["4.1"] != 0 {
		t.Fatalf("4.1 (number answer read as yes_partial_no) = %v, want 0", after["4.1"])
	}
	var old string
	if err := s.Pool().QueryRow(ctx, `SELECT r.old_text || '>' || a.value_text FROM answer_relabels r JOIN answers a ON a.id = r.answer_id`).Scan(&old); err != nil || old != "SK>SK atau SE" {
		t.Fatalf("relabel record = %q (%v)", old, err)
	}
}

// TestReimportSafeChangesNeedNoForce: wording, OPDs and a renamed option keep every
// answer and the score, and are applied without Force.
func TestReimportSafeChangesNeedNoForce(t *testing.T) {
	t.Parallel()
	s, _ := answeredYear(t)
	ctx := context.Background()
	before := points(t, s, 2026)
	in := smallInstrument(2026)
	question(in, "1.1").Text = "Apakah sudah ada Perda KLA?"
	question(in, "1.1").Help = "Perda yang berlaku tahun ini"
	question(in, "1.2").Options[1].Label = "Perbup, SK atau SE"
	question(in, "4.2").OPDCodes = []string{"DISDUKCAPIL", "DINKES"}
	res, err := s.ImportInstrument(ctx, in, postgres.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diff.Touched() != 0 || res.Stats.Updated != 3 || res.Relabelled != 1 || res.Stats.Version != 2 {
		t.Fatalf("result = %+v", res)
	}
	if after := points(t, s, 2026); !equalPoints(after, before) {
		t.Fatalf("points changed: %v, was %v", after, before)
	}
	got, _ := s.Instrument(ctx, 2026)
	if !slices.Equal(question(got, "1.2").Options, question(in, "1.2").Options) {
		t.Fatalf("options = %+v", question(got, "1.2").Options)
	}
}

func equalPoints(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestImportFromLastYear: a new year imported --from the last one links the questions
// asked the same way (by code, or by text when renumbered); the region's answers and
// files of last year come back as suggestions, linked by blob key.
func TestImportFromLastYear(t *testing.T) {
	t.Parallel()
	s, _ := answeredYear(t)
	ctx := context.Background()
	next := smallInstrument(2027)
	question(next, "4.1").Bands[1].Fraction = 0.25 // asked differently: no suggestion
	question(next, "1.2").Code = "1.3"             // renumbered, same text: linked
	res, err := s.ImportInstrument(ctx, next, postgres.ImportOptions{From: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if res.Carried != 3 {
		t.Fatalf("carried = %d, want 3", res.Carried)
	}
	got, err := s.CarriedAnswers(ctx, "KOTA-UJI", 2027)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("carried answers = %+v", got)
	}
	a := got["1.1"]
	if a.FromYear != 2026 || a.Value.Text != "ya" || len(a.Files) != 1 || a.Files[0].BlobKey != "abc123" || a.Files[0].Name != "perda.pdf" {
		t.Fatalf("1.1 = %+v", a)
	}
	if got["1.3"].FromCode != "1.2" || got["1.3"].Value.Text != "SK" || got["4.2"].Value.Number != 87.5 {
		t.Fatalf("carried = %+v", got)
	}
	if _, ok := got["4.1"]; ok {
		t.Fatal("4.1 is asked differently and must not be suggested")
	}
	if from, _ := s.CarriedFrom(ctx, 2027); from != 2026 {
		t.Fatalf("CarriedFrom = %d", from)
	}
	// An unknown --from year is refused, nothing written.
	if _, err := s.ImportInstrument(ctx, smallInstrument(2028), postgres.ImportOptions{From: 2020}); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("unknown --from: err = %v", err)
	}
	if _, err := s.InstrumentVersion(ctx, 2028); !errors.Is(err, conversations.ErrNotFound) {
		t.Fatalf("2028 written after a refused import: %v", err)
	}
}
