package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/storage/postgres/pgtest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// chatEnv is the environment of a console chat on a fresh database and this test's own
// Redis prefix and evidence directory.
func chatEnv(t *testing.T) map[string]string {
	t.Helper()
	_, prefix := redistest.New(t)
	return map[string]string{"DATABASE_URL": pgtest.URL(t), "KLA_YEAR": "2026",
		"REDIS_PREFIX": prefix, "EVIDENCE_DIR": t.TempDir()}
}

func runWith(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errs)
	defer app.Close()
	err := run(context.Background(), app, args)
	return out.String(), err
}

func TestDemoWithPipedInput(t *testing.T) {
	t.Parallel()
	env := chatEnv(t)
	pdf := filepath.Join(t.TempDir(), "perwali-kla.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\nPerwali KLA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runWith(t, env, "2\n/kirim "+pdf+"\nselesai\nlewati\nstatus\n/keluar\nmulai\n", "demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"klabot demo — Kota Contoh", "Bagian Hukum",
		"Pertanyaan 1/8", "Balas 1, 2, 3, 4 atau 5.",
		"Tersimpan: Perwali/Perbup KLA.", "Diterima: perwali-kla.pdf (21 B)",
		"keterangan singkat", "Pertanyaan 2/8",
		"Dijawab: 1 dari 8 (1 dengan bukti dukung)",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "Pertanyaan 1/8") != 1 {
		t.Errorf("input after /keluar was read:\n%s", out)
	}
}

func TestChatWithInvite(t *testing.T) {
	t.Parallel()
	env := chatEnv(t)
	if _, err := runWith(t, env, "", "seed"); err != nil {
		t.Fatal(err)
	}
	raw, err := runWith(t, env, "", "invite", "--region", "KOTA-CONTOH", "--role", "focal_point", "--opd", "DINSOS", "--name", "Nur Aini", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var inv struct {
		Code     string `json:"code"`
		PersonID int64  `json:"person_id"`
	}
	if err := json.Unmarshal([]byte(raw), &inv); err != nil {
		t.Fatal(err)
	}
	out, err := runWith(t, env, "1\n3\n", "chat", "--invite", inv.Code)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Selamat datang, Nur Aini!", "Dinas Sosial, Kota Contoh", "Pertanyaan 1/12", "Tersimpan: 3."} {
		if !strings.Contains(out, want) {
			t.Fatalf("chat output lacks %q:\n%s", want, out)
		}
	}
	// The same person again by id resumes where she stopped.
	out, err = runWith(t, env, "lanjut\n", "chat", "--person", jsonInt(inv.PersonID))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Pertanyaan 2/12") && !strings.Contains(out, "bukti dukung") {
		t.Fatalf("resume by --person:\n%s", out)
	}
	if _, err := runWith(t, env, "", "chat"); err == nil {
		t.Error("chat without --invite or --person did not fail")
	}
	out, err = runWith(t, env, "", "chat", "--invite", inv.Code)
	if err != nil || !strings.Contains(out, "sudah dipakai") {
		t.Errorf("used invite: %v\n%s", err, out)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestConsoleNoteReachesTheFocalPointsConsole (issue 14, item 5): a coordinator in
// `klabot chat` sends back the demo focal point's answer; the note is queued (it used to
// be dropped: the console printed only its own chat's replies), listed by `klabot
// notifications` as a review note waiting, and shown ("🔔") when the focal point's
// console opens again, then recorded as sent.
func TestConsoleNoteReachesTheFocalPointsConsole(t *testing.T) {
	t.Parallel()
	env := chatEnv(t)
	if _, err := runWith(t, env, "1\n/keluar\n", "demo"); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var koor, siti int64
	for name, id := range map[string]*int64{"Rina Marlina%": &koor, "Siti Rahmawati%": &siti} {
		if err := pool.QueryRow(context.Background(), `SELECT id FROM people WHERE name LIKE $1`, name).Scan(id); err != nil {
			t.Fatal(name, err)
		}
	}
	out, err := runWith(t, env, "tinjau\n2\nMohon lampirkan SK yang sudah ditandatangani.\n", "chat", "--person", strconv.FormatInt(koor, 10))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Catatan Anda sudah dikirim ke Siti Rahmawati") {
		t.Fatalf("coordinator's chat:\n%s", out)
	}
	log := func() string {
		t.Helper()
		out, err := runWith(t, env, "", "notifications", "--region", "KOTA-CONTOH", "--person", strconv.FormatInt(siti, 10))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := log(); !strings.Contains(got, "catatan tinjauan  menunggu antrean") {
		t.Fatalf("the note is not waiting for the focal point's console:\n%s", got)
	}
	out, err = runWith(t, env, "/keluar\n", "demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"🔔 🔁 Jawaban OPD Anda perlu perbaikan", "Mohon lampirkan SK yang sudah ditandatangani."} {
		if !strings.Contains(out, want) {
			t.Fatalf("the focal point's console lacks %q:\n%s", want, out)
		}
	}
	if got := log(); !strings.Contains(got, "catatan tinjauan  terkirim") {
		t.Fatalf("the note shown is not recorded as sent:\n%s", got)
	}
}
