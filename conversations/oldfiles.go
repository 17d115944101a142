package conversations

import (
	"context"
	"fmt"

	"github.com/klabot/klabot/conversations/parse"
)

// The files of an answer a coordinator sent back (issue 14, item 4). A new version
// carries the previous version's files, but those are the files the coordinator did not
// accept: when the person answers a sent-back question again, or sends a file for it,
// they are asked whether the old files stay (State.OldFiles) before intake goes on.
// "Mulai tanpa bukti lama" is ganti: a new version that keeps only what was sent after
// the decision (AnswerWrite.KeepRecent), never the new upload too.

var oldFileTexts = Texts{
	msgOldFilesAsk: {"⚠️ Bukti lama dari jawaban yang dikembalikan koordinator (%d file) masih terlampir. Tetap lampirkan, atau mulai tanpa bukti lama?",
		"⚠️ The old evidence of the answer the coordinator sent back (%d files) is still attached. Keep it, or start without the old evidence?"},
	msgOldFilesFirst: {"Pilih dulu soal bukti lama:", "First choose what happens to the old evidence:"},
	msgBtnKeepOld:    {"Tetap lampirkan bukti lama", "Keep the old evidence"},
	msgBtnFresh:      {"Mulai tanpa bukti lama", "Start without the old evidence"},
	msgOldKept:       {"Baik, bukti lama tetap terlampir.", "OK, the old evidence stays attached."},
	msgReplacedKept:  {"%d file yang Anda kirim sesudahnya tetap terlampir.", "%d files you sent since stay attached."},
	msgOldDropped: {"Bukti lama dari jawaban yang dikembalikan koordinator tidak ikut dilampirkan (jawaban ini tidak memerlukan bukti).",
		"The old evidence of the answer the coordinator sent back is not attached (this answer needs none)."},
}

const (
	msgOldFilesAsk   msgKey = "old_files_ask"
	msgOldFilesFirst msgKey = "old_files_first"
	msgBtnKeepOld    msgKey = "btn_keep_old"
	msgBtnFresh      msgKey = "btn_fresh"
	msgOldKept       msgKey = "old_kept"
	msgReplacedKept  msgKey = "replaced_kept"
	msgOldDropped    msgKey = "old_dropped"
)

// askOldFiles is the question about the carried files, with its two buttons.
func (e *Engine) askOldFiles(r *Request, first string) Outbound {
	text := r.T(msgOldFilesAsk, r.State.OldFiles)
	if first != "" {
		text = first + "\n" + text
	}
	out := Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: text}
	return WithOptions(out, r.Lang(), []Button{
		{Label: r.T(msgBtnKeepOld), Data: "n:keep:" + r.State.Question},
		{Label: r.T(msgBtnFresh), Data: "n:fresh:" + r.State.Question},
	})
}

// afterFiles ends the receipts of files in evidence intake: the question about the old
// files while it is open, else "send another file, or type done".
func (e *Engine) afterFiles(r *Request, receipts string) Outbound {
	if r.State.OldFiles > 0 {
		return e.askOldFiles(r, receipts)
	}
	out := Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: receipts + "\n" + r.T(msgMoreFiles)}
	return WithOptions(out, r.Lang(), e.evidenceButtons(r))
}

// oldFilesText reads the typed reply to the question about the old files (files and
// commands are routed before); anything else asks again.
func (e *Engine) oldFilesText(ctx context.Context, r *Request) ([]Outbound, error) {
	switch w := parse.Normalize(r.In.Text); w {
	case "1", "tetap", "tetap lampirkan", "simpan", "keep":
		return e.keepOldFiles(ctx, r)
	case "2", "ganti", "replace", "baru", "mulai baru", "fresh":
		return e.replaceEvidence(ctx, r)
	}
	return []Outbound{e.askOldFiles(r, r.T(msgOldFilesFirst))}, nil
}

// keepOldFiles closes the question: the carried files stay, intake goes on.
func (e *Engine) keepOldFiles(ctx context.Context, r *Request) ([]Outbound, error) {
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	if !ok {
		return e.reprompt(ctx, r)
	}
	r.State.OldFiles = 0
	out := e.evidencePrompt(r, l, i)
	out.Text = r.T(msgOldKept) + "\n" + out.Text
	return []Outbound{out}, nil
}

// oldFilesOf is how many files a new version of a sent-back question carries from the
// version the coordinator sent back (0 when it was not sent back).
func oldFilesOf(l *questionList, code string) int {
	if !l.sentBack(code) {
		return 0
	}
	return l.progress.Answers[code].Evidence
}

// replacedText is what ganti says: the old files are off, the recent ones stayed.
func (e *Engine) replacedText(r *Request, kept int) string {
	if kept > 0 {
		return fmt.Sprintf("%s %s", r.T(msgReplaced), r.T(msgReplacedKept, kept))
	}
	return r.T(msgReplaced)
}
