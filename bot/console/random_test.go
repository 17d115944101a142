package console_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klabot/klabot/bot/console"
)

// TestRandomDialogueNeverDropsOrFails types 300 random lines — commands, answers of every
// shape, garbage, numbers, files, old buttons — as two focal points of one OPD, with
// Redis losses and restarts in between. Every line must get a reply and no step may fail:
// never a crash, never a silent drop.
func TestRandomDialogueNeverDropsOrFails(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.MakeFile("sk.pdf", "pdf", 3000)
	w.MakeFile("foto.jpg", "jpg", 2000)
	w.MakeFile("x.gif", "gif", 100)
	lines := []string{
		"mulai", "lanjut", "lewati", "kembali", "ubah 1", "ubah 5", "ubah 8", "ubah 99", "ubah 12.6", "ubah",
		"bukti 1", "bukti 3", "bukti", "daftar", "status", "bantuan", "berhenti", "selesai", "ganti",
		"ya", "Ya.", "tidak", "sebagian", "1", "2", "3", "4", "7", "1.250", "87,5%", "150%", "-2",
		"14 Maret 2025", "31/02/2025", "Program PMT", "a", "???", "", "/start ABC", "halo",
		"/kirim sk.pdf", "/kirim foto.jpg", "/kirim x.gif", "/kirim sk.pdf foto.jpg",
	}
	buttons := []string{"a:1.1:1", "a:1.2:3", "a:12.6:1", "n:done:1.1", "n:skip:12.1", "n:start:", "zz:1", "a:", "n:"}
	rng := rand.New(rand.NewPCG(7, 2026))
	names := []string{"budi", "sari"}
	for step := range 300 {
		s := w.session(names[rng.IntN(2)])
		var line string
		switch k := rng.IntN(20); {
		case k == 0:
			w.Flush()
			continue
		case k == 1:
			w.restart()
			continue
		case k <= 3:
			line = buttons[rng.IntN(len(buttons))]
			o, err := s.Press(w.Ctx, line)
			if err != nil {
				t.Fatalf("step %d %s: %v", step, line, err)
			}
			if len(o) == 0 {
				t.Fatalf("step %d %s: no reply", step, line)
			}
			continue
		default:
			line = lines[rng.IntN(len(lines))]
		}
		text := line
		if len(line) > 7 && line[:7] == "/kirim " {
			text = "/kirim "
			for i, f := range strings.Fields(line[7:]) {
				if i > 0 {
					text += " "
				}
				text += w.FileDir + "/" + f
			}
		}
		o, err := s.Send(w.Ctx, text)
		if err != nil {
			t.Fatalf("step %d (%s) %q: %v\n%s", step, s.Address().ChatID, line, err, console.Render(o))
		}
		if line != "" && len(o) == 0 {
			t.Fatalf("step %d (%s) %q: no reply", step, s.Address().ChatID, line)
		}
	}
	// The answers stay consistent: versions are 1..n without gaps per question.
	if n := w.QueryInt(`SELECT count(*) FROM (SELECT question_code FROM answers
		GROUP BY question_code HAVING max(version) <> count(*)) x`); n != 0 {
		t.Fatalf("%d questions have version gaps", n)
	}
}
