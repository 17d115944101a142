package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/conversations"
)

// demoOPD is the sample OPD the demo speaks for: Bagian Hukum has 8 questions of four
// answer types (yes/no, choice, number, date), most needing evidence.
const demoOPD = "BAGHUKUM"

// runDemo is `klabot demo` (and `make demo`): migrate, seed the sample region, then a
// console chat as the sample focal point of Bagian Hukum, Kota Contoh.
func runDemo(ctx context.Context, app *App, args []string) error {
	if len(args) > 0 {
		return usageError{"usage: klabot demo"}
	}
	if err := seedSample(ctx, app); err != nil {
		return fmt.Errorf("seed the sample: %w", err)
	}
	out := &consoleOutbox{}
	parts, err := buildEngine(ctx, app, out)
	if err != nil {
		return err
	}
	people, err := parts.Store.People(ctx, SampleRegion)
	if err != nil {
		return err
	}
	var who *conversations.Person
	for i, p := range people {
		if p.Role == conversations.RoleFocalPoint && p.OPDCode == demoOPD {
			who = &people[i]
			break
		}
	}
	if who == nil {
		return fmt.Errorf("the sample region has no focal point of %s", demoOPD)
	}
	id, err := consoleIdentity(ctx, parts, who.ID)
	if err != nil {
		return err
	}
	fmt.Fprint(app.Stdout, demoIntro(who))
	sess := console.NewSession(parts.Engine, id, who.Name)
	sess.Now = app.Now
	stop, err := openConsole(ctx, app, parts, sess, out)
	if err != nil {
		return err
	}
	defer stop()
	// Show where the sample focal point stands right away (the first question, or the
	// one a previous demo stopped at).
	outs, err := sess.Send(ctx, "mulai")
	fmt.Fprint(app.Stdout, console.Render(outs))
	if err != nil {
		return err
	}
	return console.Run(ctx, sess, app.Stdin, app.Stdout, promptFor(app.Stdin))
}

func demoIntro(p *conversations.Person) string {
	return strings.Join([]string{
		"klabot demo — Kota Contoh (sample region), as " + p.Name + ", focal point of " + p.OPDName + ".",
		"Type as the focal point would in Telegram or WhatsApp:",
		"  mulai / lanjut   show the current question again (resume)",
		"  1, 2, 3 …        press the numbered option",
		"  ya / tidak / 87,5% / 14 Maret 2025   answer in your own words",
		"  /kirim PATH      send a file as evidence (PDF, JPG, PNG, WEBP, DOCX, XLSX, DOC, XLS)",
		"  selesai          done sending files",
		"  lewati, kembali, ubah N, daftar, status, berhenti, bantuan",
		"  /keluar          quit (progress is kept: run `make demo` again and type lanjut)",
		"", "",
	}, "\n")
}
