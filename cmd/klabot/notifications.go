package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/storage/postgres"
)

// runNotifications is `klabot notifications --region R [--person ID] [--limit N]`: who got
// what, when, with what outcome — the durable queue's deliveries log, newest first, in the
// region's time zone.
func runNotifications(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("notifications", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	region := fs.String("region", "", "region code (required)")
	person := fs.Int64("person", 0, "only this person's messages (their id)")
	limit := fs.Int("limit", 100, "at most this many, newest first")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	code := strings.ToUpper(strings.TrimSpace(*region))
	if code == "" || fs.NArg() > 0 || *limit <= 0 {
		return usageError{"usage: klabot notifications --region CODE [--person ID] [--limit N]"}
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	r, err := postgres.New(pool, app.Now).Region(ctx, code)
	if errors.Is(err, conversations.ErrNotFound) {
		return fmt.Errorf("region %s not found", code)
	}
	if err != nil {
		return err
	}
	entries, err := outbound.Log(ctx, pool, code, *person, *limit)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintf(app.Stdout, "Belum ada pesan tercatat untuk %s.\n", r.Name)
		return nil
	}
	loc := r.Location()
	fmt.Fprintf(app.Stdout, "Pesan %s, terbaru dulu (%d):\n", r.Name, len(entries))
	w := tabwriter.NewWriter(app.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "WAKTU\tPENERIMA\tKANAL\tJENIS\tHASIL")
	for _, e := range entries {
		who := "grup " + e.ChatID
		if e.PersonID != 0 {
			who = fmt.Sprintf("%s (%d)", e.PersonName, e.PersonID)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", idfmt.DateTime(e.At, loc), who, e.Channel, kindLabel(e.Kind), outcomeLabel(e.State, e.Reason))
	}
	return w.Flush()
}

func kindLabel(kind string) string {
	switch kind {
	case outbound.KindReply, "":
		return "balasan"
	case outbound.KindNotice:
		return "pemberitahuan"
	case outbound.KindDigest:
		return "ringkasan"
	case outbound.KindNudge:
		return "pengingat"
	case outbound.KindEscalation:
		return "eskalasi"
	case review.NoticeNote:
		return "catatan tinjauan"
	case answering.NoticeFixed:
		return "jawaban diperbaiki"
	}
	return kind
}

func outcomeLabel(state, reason string) string {
	switch state {
	case "sent":
		return "terkirim"
	case "pending":
		return "menunggu antrean"
	case "skipped":
		return "dilewati"
	case "blocked":
		return "tidak bisa dihubungi (bot diblokir)"
	}
	if reason != "" {
		return "gagal: " + reason
	}
	return "gagal"
}
