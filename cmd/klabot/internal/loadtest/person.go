package loadtest

import (
	"fmt"
	"math/rand"
	"regexp"
	"strings"

	"github.com/klabot/klabot/scoring"
)

// Msg is one message a simulated focal point sends.
type Msg struct {
	ID     int64  // platform message id (the Telegram update id), unique in a run
	Kind   string // what it is, for the report: start, answer, evidence, done, skip, narrative, edit
	Text   string
	Button string   // pressed button data
	File   *SimFile // an uploaded document
	Answer string   // the question code this message answers ("" when it answers none)
	Prompt int      // the bot message the button belongs to (webhook mode)
	Dup    bool     // a second delivery of the same message (a platform retry)
	// Then is sent right behind this message, without waiting for the replies (a
	// document, then "selesai" at once): the replies must come as if it had waited.
	Then *Msg
}

// SimFile is a small evidence document.
type SimFile struct {
	ID   string // Telegram file id
	Name string
	Data []byte
}

// Reply is one message the bot sent to the simulated person.
type Reply struct {
	Text    string
	Buttons []string // button data, in order
	ID      int      // the platform message id (webhook mode), for button presses
}

// answerRec is one answer message as sent, for the exactly-once and order checks.
type answerRec struct {
	msg  int64
	code string
}

// person is one simulated focal point: it reads the bot's last message and answers it the
// way people do (buttons for picks, typed numbers, percentages and dates, documents as
// evidence, a short narrative), one message at a time.
type person struct {
	fp      FocalPoint
	started bool
	done    bool
	files   int // evidence files sent for the open question
	total   int // questions of the OPD, from the last header
	last    []Reply
	asked   string // kind of the last message sent
	answers []answerRec
}

var headerRE = regexp.MustCompile(`Pertanyaan \d+/(\d+) · (\S+)`)

// refusedMark starts the engine's refusal of "selesai" without evidence.
const refusedMark = "Belum ada bukti dukung"

// receiptMark starts the engine's receipt of a document; alreadyMark its note that the
// answer has that very file already (the same content is attached once).
const (
	receiptMark = "📎 Diterima"
	alreadyMark = "📎 Sudah terlampir"
)

// doneMark starts the closing summary ("🎉 Semua pertanyaan ... sudah ditangani").
const doneMark = "🎉"

// next decides the person's next message from the bot's last one. ok is false when the
// person has nothing more to do (all questions dealt with, and edits are off).
func (p *person) next(rng *rand.Rand, o *Options, qs map[string]scoring.Question) (m Msg, ok bool) {
	if !p.started {
		p.started = true
		return Msg{Kind: "start", Text: "mulai"}, true
	}
	if len(p.last) == 0 {
		return Msg{Kind: "start", Text: "lanjut"}, true
	}
	r := p.last[len(p.last)-1]
	var answers []string
	var doneBtn, skipBtn, mineBtn, theirsBtn string
	for _, b := range r.Buttons {
		switch {
		case strings.HasPrefix(b, "a:"):
			answers = append(answers, b)
		case strings.HasPrefix(b, "n:mine:"):
			mineBtn = b
		case strings.HasPrefix(b, "n:theirs:"):
			theirsBtn = b
		case strings.HasPrefix(b, "n:done:"):
			doneBtn = b
		case strings.HasPrefix(b, "n:skip:"):
			skipBtn = b
		}
	}
	hdr := headerRE.FindStringSubmatch(r.Text)
	if hdr != nil {
		fmt.Sscan(hdr[1], &p.total)
	}
	switch {
	case mineBtn != "" && theirsBtn != "": // a colleague's answer came first: either is fine
		if rng.Intn(2) == 0 {
			p.files = 0
			return Msg{Kind: "theirs", Button: theirsBtn, Prompt: r.ID}, true
		}
		// Saving one's own answer stores it (with this message's id).
		return Msg{Kind: "mine", Button: mineBtn, Answer: mineBtn[len("n:mine:"):], Prompt: r.ID}, true
	case len(answers) > 0: // yes/no, yes/partly/no, choice: press a button
		b := answers[rng.Intn(len(answers))]
		code := b[2:strings.LastIndexByte(b, ':')]
		p.files = 0
		return Msg{Kind: "answer", Button: b, Answer: code, Prompt: r.ID}, true
	case hdr != nil: // a typed answer or a file question
		code := hdr[2]
		q, known := qs[code]
		p.files = 0
		if known && q.Type == scoring.File {
			p.files = 1
			return Msg{Kind: "answer", File: o.file(rng), Answer: code}, true
		}
		return Msg{Kind: "answer", Text: typed(rng, q.Type), Answer: code}, true
	case doneBtn != "": // evidence intake
		if strings.Contains(r.Text, refusedMark) {
			// "selesai" refused: the file did not arrive. (A colleague's newer answer is
			// told at once and asked about, above.) Move on; the gap stays visible.
			p.files = 0
			return Msg{Kind: "skip", Button: skipBtn, Prompt: r.ID}, true
		}
		switch {
		case p.files == 0 && rng.Float64() < o.FileShare:
			p.files++
			m := Msg{Kind: "evidence", File: o.file(rng)}
			if rng.Float64() < o.BurstShare {
				m.Then = &Msg{Kind: "done", Text: "selesai"}
			}
			return m, true
		case p.files > 0:
			return Msg{Kind: "done", Button: doneBtn, Prompt: r.ID}, true
		}
		return Msg{Kind: "skip", Button: skipBtn, Prompt: r.ID}, true
	case skipBtn != "": // the optional narrative
		p.files = 0
		return Msg{Kind: "narrative", Text: narratives[rng.Intn(len(narratives))]}, true
	case strings.Contains(r.Text, doneMark):
		p.done = true
		if !o.Edits || p.total == 0 {
			return Msg{}, false
		}
		return Msg{Kind: "edit", Text: fmt.Sprintf("ubah %d", 1+rng.Intn(p.total))}, true
	}
	return Msg{Kind: "start", Text: "lanjut"}, true
}

var narratives = []string{
	"Kegiatan terlaksana bersama Forum Anak dan Gugus Tugas KLA.",
	"SK sudah ditandatangani Bupati, salinan terlampir.",
	"Data per Desember, sumber Dinas terkait.",
}

// typed is what a person types for a question of type t, in the forms people use.
func typed(rng *rand.Rand, t scoring.AnswerType) string {
	switch t {
	case scoring.Number:
		return []string{"0", "3", "12", "1.250"}[rng.Intn(4)]
	case scoring.Percent:
		return []string{"87,5", "100%", "45 persen", "60"}[rng.Intn(4)]
	case scoring.Date:
		return []string{"14/03/2025", "2 Januari 2026", "30-06-2025"}[rng.Intn(3)]
	case scoring.Text:
		return []string{"Sudah ada SK Gugus Tugas KLA tahun ini.", "Forum Anak aktif di 12 kecamatan."}[rng.Intn(2)]
	}
	return []string{"ya", "tidak", "Ya."}[rng.Intn(3)]
}
