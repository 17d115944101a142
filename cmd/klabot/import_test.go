package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReimportCommandShowsDiffAndRefuses: re-importing the template with an answered
// question's type changed and another's option renamed prints the diff with the answers
// touched, exits with an error and writes nothing; --dry-run says it would be refused;
// --force applies it and the renamed option keeps its answer.
func TestReimportCommandShowsDiffAndRefuses(t *testing.T) {
	t.Parallel()
	f := newFoundationApp(t)
	if _, err := f.run("import", "../../samples/instrument-template.csv", "--year", "2026"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run("region", "add", "--code", "KOTA-UJI", "--name", "Kota Uji", "--tz", "Asia/Jakarta"); err != nil {
		t.Fatal(err)
	}
	app := NewApp(func(k string) string { return f.env[k] }, nil, &f.out, &f.err)
	defer app.Close()
	ctx := context.Background()
	pool, err := app.DB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `
		WITH p AS (INSERT INTO people (region_code, name, role) VALUES ('KOTA-UJI', 'Bu Koor', 'coordinator') RETURNING id)
		INSERT INTO answers (region_code, year, question_code, version, value_text, value_number, person_id, channel, created_at)
		SELECT 'KOTA-UJI', 2026, q, 1, t, n, p.id, 'console', now()
		FROM p, (VALUES ('1.1', 'SK atau SE', NULL::float8), ('2.1', '', 3::float8), ('8.1', 'ya', NULL)) AS v(q, t, n)`); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../samples/instrument-template.csv")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), "SK atau SE=0,5", "Surat Keputusan atau Surat Edaran=0,5", 1)
	changed = strings.Replace(changed, `2.1,Berapa kali rapat koordinasi Gugus Tugas KLA dalam setahun terakhir?,number,"0=0;1-4=0,5;5+=1"`,
		`2.1,Apakah rapat koordinasi Gugus Tugas KLA rutin diadakan?,yes_partial_no,`, 1)
	changed = strings.Replace(changed, "Apakah PUSPAGA sudah terbentuk?", "Apakah PUSPAGA sudah dibentuk?", 1)
	file := filepath.Join(t.TempDir(), "borang.csv")
	if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}

	out, err := f.run("import", file, "--year", "2026")
	if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v, want a refusal naming --force", err)
	}
	for _, want := range []string{
		"changed  1.1 (options); option \"SK atau SE\" renamed \"Surat Keputusan atau Surat Edaran\", 1 answer kept",
		"changed  2.1 (text, answer_type, bands) — touches 1 answer: type number → yes_partial_no",
		"changed  8.1 (text) — 1 answer kept",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var v int
	if err := pool.QueryRow(ctx, `SELECT version FROM instruments WHERE year = 2026`).Scan(&v); err != nil || v != 1 {
		t.Fatalf("refused import wrote: version %d (%v)", v, err)
	}

	out, err = f.run("import", file, "--year", "2026", "--dry-run")
	if err != nil || !strings.Contains(out, "would be refused") || !strings.Contains(out, "nothing written") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}

	out, err = f.run("import", file, "--year", "2026", "--force")
	if err != nil || !strings.Contains(out, "applied with --force: 1 answer changed") || !strings.Contains(out, "1 answer version kept under the renamed option") {
		t.Fatalf("--force: %v\n%s", err, out)
	}
	var label string
	if err := pool.QueryRow(ctx, `SELECT value_text FROM answers WHERE question_code = '1.1'`).Scan(&label); err != nil || label != "Surat Keputusan atau Surat Edaran" {
		t.Fatalf("renamed option's answer = %q (%v)", label, err)
	}
	// The same file again: nothing to say, nothing refused.
	if out, err = f.run("import", file, "--year", "2026"); err != nil || !strings.Contains(out, "unchanged 10") {
		t.Fatalf("same file again: %v\n%s", err, out)
	}
}

// TestImportFromLastYearCommand: --from links the unchanged questions and says how many;
// an unknown --from year or one not before --year is refused.
func TestImportFromLastYearCommand(t *testing.T) {
	t.Parallel()
	f := newFoundationApp(t)
	if _, err := f.run("import", "../../samples/instrument-template.csv", "--year", "2026"); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../samples/instrument-template.csv")
	if err != nil {
		t.Fatal(err)
	}
	next := strings.Replace(string(src), "Apakah PUSPAGA sudah terbentuk?", "Apakah PUSPAGA sudah melayani keluarga?", 1)
	file := filepath.Join(t.TempDir(), "borang-2027.csv")
	if err := os.WriteFile(file, []byte(next), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := f.run("import", file, "--year", "2027", "--from", "2026", "--dry-run")
	if err != nil || !strings.Contains(out, "9 questions of 2027 linked to 2026") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if n := f.count("question_origins"); n != 0 {
		t.Fatalf("dry run linked %d questions", n)
	}
	if out, err = f.run("import", file, "--year", "2027", "--from", "2026"); err != nil || !strings.Contains(out, "9 questions of 2027 linked to 2026") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if n := f.count("question_origins"); n != 9 {
		t.Fatalf("question_origins = %d, want 9", n)
	}
	if _, err := f.run("import", file, "--year", "2028", "--from", "2025"); err == nil || !strings.Contains(err.Error(), "never imported") {
		t.Fatalf("unknown --from: %v", err)
	}
	if _, err := f.run("import", file, "--year", "2027", "--from", "2027"); err == nil || !strings.Contains(err.Error(), "earlier year") {
		t.Fatalf("--from = --year: %v", err)
	}
}
