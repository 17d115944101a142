package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/scoring"
)

func TestDigestDryRunShowsTheScoreNumbers(t *testing.T) {
	t.Parallel()
	app, out := scoreApp(t)
	ctx := context.Background()
	if err := run(ctx, app, []string{"score", "--region", "KOTA-CONTOH", "--json"}); err != nil {
		t.Fatal(err)
	}
	var score struct {
		Claimed, Evidenced, Verified float64
		Tier                         string
		PointsToNextTier             float64 `json:"points_to_next_tier"`
	}
	if err := json.Unmarshal(out.Bytes(), &score); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	chart := filepath.Join(t.TempDir(), "chart.png")
	if err := run(ctx, app, []string{"digest", "--region", "kota-contoh", "--dry-run", "--png", chart}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"📊 Ringkasan KLA Kota Contoh\nSenin, 23 November 2026, 14.05 WIB",
		"Nilai diklaim " + scoring.FormatPoints(score.Claimed) + " · berbukti " + scoring.FormatPoints(score.Evidenced) +
			" · terverifikasi " + scoring.FormatPoints(score.Verified),
		"Nilai diklaim 615,0 · berbukti 415,0 · terverifikasi 240,0",
		"Predikat (berbukti): " + score.Tier + " — kurang " + scoring.FormatPoints(score.PointsToNextTier) + " poin ke Pratama",
		"Belum mendaftar: 1 orang (Bu Koor)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	b, err := os.ReadFile(chart)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != 800 || img.Bounds().Dy() < 500 {
		t.Fatalf("chart: %v", err)
	}
	pool, _ := app.DB(ctx)
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM notifications`).Scan(&n)
	if n != 0 {
		t.Errorf("the dry run recorded %d notifications", n)
	}
}

func TestDigestCommandErrors(t *testing.T) {
	t.Parallel()
	app, _ := scoreApp(t)
	ctx := context.Background()
	for _, args := range [][]string{{"digest"}, {"digest", "--region", "X", "extra"}, {"digest", "--bogus"}, {"digest", "--region", "X", "--send", "--dry-run"}} {
		if err := run(ctx, app, args); err == nil {
			t.Errorf("%v: no error", args)
		} else if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v is not a usage error", args, err)
		}
	}
	if err := run(ctx, app, []string{"digest", "--region", "NOPE", "--dry-run"}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown region: %v", err)
	}
}

func TestDigestSendsThroughTelegram(t *testing.T) {
	t.Parallel()
	app, out := scoreApp(t)
	ctx := context.Background()
	fake := fakebotapi.New(t, "123456:TEST-token")
	base := app.Getenv
	app.Getenv = func(k string) string {
		switch k {
		case "TELEGRAM_TOKEN":
			return "123456:TEST-token"
		case "TELEGRAM_API_URL":
			return fake.URL
		}
		return base(k)
	}
	pool, err := app.DB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO identities (channel, external_id, chat_id, person_id)
		SELECT 'telegram', '4242', '4242', id FROM people WHERE name = 'Bu Koor'`); err != nil {
		t.Fatal(err)
	}
	// Without --send nothing is sent, even with a token set.
	if err := run(ctx, app, []string{"digest", "--region", "KOTA-CONTOH"}); err != nil {
		t.Fatal(err)
	}
	if msgs := fake.Messages("4242"); len(msgs) != 0 {
		t.Fatalf("digest without --send sent %+v", msgs)
	}
	if err := run(ctx, app, []string{"digest", "--region", "KOTA-CONTOH", "--send"}); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages("4242")
	if len(msgs) != 2 || msgs[0].Method != "sendMessage" || !strings.Contains(msgs[0].Text, "Nilai diklaim 615,0 · berbukti 415,0") ||
		msgs[1].Method != "sendPhoto" || msgs[1].File == nil {
		t.Fatalf("telegram got %+v", msgs)
	}
	if _, err := png.Decode(bytes.NewReader(msgs[1].File.Data)); err != nil {
		t.Fatalf("photo is not a PNG: %v", err)
	}
	if !strings.Contains(out.String(), "1 chat dikirimi, 1 terkirim, 0 gagal") {
		t.Errorf("output:\n%s", out.String())
	}
	var status string
	pool.QueryRow(ctx, `SELECT status FROM notifications WHERE kind = 'digest' AND chat_id = '4242'`).Scan(&status)
	if status != "sent" {
		t.Errorf("notification status %q, want sent", status)
	}
	var runs int
	pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE kind = 'digest_run'`).Scan(&runs)
	if runs != 0 {
		t.Errorf("a manual digest claimed the day (%d digest_run rows)", runs)
	}

	// The notifications log: who got what, when (the region's zone), with what outcome —
	// the digest's text and its chart are two messages.
	var koor int64
	pool.QueryRow(ctx, `SELECT id FROM people WHERE name = 'Bu Koor'`).Scan(&koor)
	out.Reset()
	if err := run(ctx, app, []string{"notifications", "--region", "kota-contoh"}); err != nil {
		t.Fatal(err)
	}
	log := out.String()
	for _, want := range []string{"Pesan Kota Contoh, terbaru dulu (2):", "23 November 2026 14.05 WIB", "Bu Koor (" + strconv.FormatInt(koor, 10) + ")",
		"telegram", "ringkasan", "terkirim"} {
		if !strings.Contains(log, want) {
			t.Errorf("notifications log lacks %q:\n%s", want, log)
		}
	}
	out.Reset()
	if err := run(ctx, app, []string{"notifications", "--region", "KOTA-CONTOH", "--person", strconv.FormatInt(koor+1000, 10)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Belum ada pesan tercatat untuk Kota Contoh.") {
		t.Errorf("another person's log:\n%s", out.String())
	}
}
