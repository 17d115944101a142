package answering

import (
	"context"
	"fmt"

	"github.com/klabot/klabot/conversations"

	"github.com/klabot/klabot/conversations/parse"
)

// The files of an answer a coordinator sent back (issue 14, item 4). A new version
// carries the previous version's files, but those are the files the coordinator did not
// accept: when the person answers a sent-back question again, or sends a file for it,
// they are asked whether the old files stay (State.OldFiles) before intake goes on.
// "Mulai tanpa bukti lama" is ganti: a new version that keeps only what was sent after
// the decision (AnswerWrite.KeepRecent), never the new upload too.

// askOldFiles is the question about the carried files, with its two buttons.
func (ans *Dialogue) askOldFiles(r *step, first string) conversations.Outbound {
	text := r.T(msgOldFilesAsk, r.State.OldFiles)
	if first != "" {
		text = first + "\n" + text
	}
	out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: text}
	return r.prompt(conversations.WithOptions(out, r.Lang(), []conversations.Button{
		{Label: r.T(msgBtnKeepOld), Data: "n:keep:" + r.State.Question},
		{Label: r.T(msgBtnFresh), Data: "n:fresh:" + r.State.Question},
	}))
}

// afterFiles ends the receipts of files in evidence intake: the question about the old
// files while it is open, else "send another file, or type done".
func (ans *Dialogue) afterFiles(r *step, receipts string) conversations.Outbound {
	if r.State.OldFiles > 0 {
		return ans.askOldFiles(r, receipts)
	}
	out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: receipts + "\n" + r.T(msgMoreFiles)}
	return r.prompt(conversations.WithOptions(out, r.Lang(), ans.evidenceButtons(r)))
}

// oldFilesText reads the typed reply to the question about the old files (files and
// commands are routed before); anything else asks again.
func (ans *Dialogue) oldFilesText(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	switch w := parse.Normalize(r.In.Text); w {
	case "1", "tetap", "tetap lampirkan", "simpan", "keep":
		return ans.keepOldFiles(ctx, r)
	case "2", "ganti", "replace", "baru", "mulai baru", "fresh":
		return ans.replaceEvidence(ctx, r)
	}
	return []conversations.Outbound{ans.askOldFiles(r, r.T(msgOldFilesFirst))}, nil
}

// keepOldFiles closes the question: the carried files stay, intake goes on.
func (ans *Dialogue) keepOldFiles(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	if !ok {
		return ans.reprompt(ctx, r)
	}
	r.State.OldFiles = 0
	out := ans.evidencePrompt(r, l, i)
	out.Text = r.T(msgOldKept) + "\n" + out.Text
	return []conversations.Outbound{out}, nil
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
func (ans *Dialogue) replacedText(r *step, kept int) string {
	if kept > 0 {
		return fmt.Sprintf("%s %s", r.T(msgReplaced), r.T(msgReplacedKept, kept))
	}
	return r.T(msgReplaced)
}
