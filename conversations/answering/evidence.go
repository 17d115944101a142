package answering

import (
	"context"
	"errors"
	"fmt"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/parse"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/klabot/klabot/scoring"
)

// receiveFiles takes photos and documents: evidence for the answer just given, or the
// answer itself for a file question.
func (ans *Dialogue) receiveFiles(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	if r.Person.OPDID == 0 { // a coordinator, a head: they answer no questions
		return r.Replies(r.T(msgFileNoOPD)), nil
	}
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	switch {
	case !ok || r.State.Mode == conversations.ModeIdle:
		return r.Replies(r.T(msgFileIdle)), nil
	case r.State.Mode == conversations.ModeNarrative:
		// More files after "selesai" are still welcome: back to evidence intake.
		r.State.Mode = conversations.ModeEvidence
	case r.State.Mode == conversations.ModeQuestion && l.refs[i].Q.Type != scoring.File:
		a, answered := l.progress.Answers[r.State.Question]
		if !answered || r.clashing() { // before the answer (or while it waits for the choice)
			return ans.holdFiles(ctx, r)
		}
		// An answered question (after kembali or ubah N): the files are evidence of its
		// current answer, as with bukti N.
		r.State.Mode, r.State.AnswerID, r.State.Files = conversations.ModeEvidence, a.ID, 0
		r.State.Answered = &a.Value
	}
	r.State.Stopped = false
	files, notes := ans.intake(ctx, r)
	if len(files) == 0 {
		if r.State.Mode == conversations.ModeEvidence { // the refusal, and what is still asked, in one message
			out := ans.evidencePrompt(r, l, i)
			out.Text = strings.Join(notes, "\n") + "\n" + out.Text
			return []conversations.Outbound{out}, nil
		}
		outs := r.Replies(strings.Join(notes, "\n"))
		if r.State.Mode == conversations.ModeQuestion {
			outs = append(outs, ans.renderQuestion(r, l, i))
		}
		return outs, nil
	}
	if r.State.Mode == conversations.ModeQuestion { // a file question: the files are the answer
		outs, err := ans.saveAnswer(ctx, r, l, i, scoring.Value{}, files)
		if err != nil || len(notes) == 0 {
			return outs, err
		}
		return append(r.Replies(strings.Join(notes, "\n")), outs...), nil
	}
	r.State.Files += len(files)
	var added []string
	var note string
	for attempt := 0; ; attempt++ {
		answerID := r.State.AnswerID
		var clash bool
		if answerID != 0 { // a colleague may have saved a newer version since
			answerID, note, clash = ans.overtaken(r, l)
		}
		if answerID == 0 { // rebuilt state: the current version of the question
			answerID = l.progress.Answers[r.State.Question].ID
		}
		if answerID == 0 {
			return r.Replies(r.T(msgFileIdle)), nil
		}
		r.State.AnswerID = answerID
		if code := r.State.Question; l.sentBack(code) && answerID == l.progress.Answers[code].ID {
			return ans.fixSentBack(ctx, r, l, i, files, notes)
		}
		cp := *r.State
		// Files for the current version expect it to stay current until they are in
		// (a colleague's save in between would not carry them).
		added, err = ans.d.Answers.AddEvidence(ctx, EvidenceWrite{Msg: r.Delivery(), AnswerID: answerID,
			PersonID: r.Person.ID, Files: files, Checkpoint: &cp, ExpectCurrent: !clash})
		if errors.Is(err, conversations.ErrConflict) && attempt == 0 { // decide again on what is current now
			l.refresh()
			if l, err = ans.progressOf(ctx, r); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("add evidence to answer %d: %w", answerID, err)
		}
		break
	}
	l.addedEvidence(r, r.State.AnswerID, len(added))
	files, notes = ans.dropAttached(r, files, added, notes)
	r.Checkpointed()
	if note != "" {
		notes = append(notes, note)
	}
	text := ans.fileReceipts(r, files)
	if len(notes) > 0 {
		text = strings.TrimPrefix(text+"\n"+strings.Join(notes, "\n"), "\n")
	}
	if r.clashing() { // told at once, not at "selesai"
		return []conversations.Outbound{ans.askClash(r, l.refs[i].Q, text)}, nil
	}
	return []conversations.Outbound{ans.afterFiles(r, text)}, nil
}

// fixSentBack attaches files to an answer a coordinator sent back: as a new version
// (same value, the earlier evidence carried over, the new files), so that it returns
// to the review queue as diubah, and the region's coordinators are told once.
func (ans *Dialogue) fixSentBack(ctx context.Context, r *step, l *questionList, i int, files []conversations.EvidenceFile, notes []string) ([]conversations.Outbound, error) {
	q := l.refs[i].Q
	cur := l.progress.Answers[q.Code]
	r.State.OldFiles = oldFilesOf(l, q.Code) // the files the coordinator saw: ask about them
	r.State.Answered = &cur.Value
	cp := *r.State
	info, err := ans.d.Answers.SaveAnswer(ctx, AnswerWrite{Msg: r.Delivery(), RegionCode: r.Person.RegionCode, Year: r.State.Year,
		QuestionCode: q.Code, Value: cur.Value, PersonID: r.Person.ID, CarryEvidence: true, Evidence: files, Checkpoint: &cp})
	if err != nil {
		return nil, fmt.Errorf("fix sent-back answer %s: %w", q.Code, err)
	}
	r.Checkpointed()
	r.State.AnswerID = info.ID
	l.savedAnswer(r, q.Code, info)
	l.progress.Answers[q.Code] = info
	l.settle(q.Code)
	text := ans.fileReceipts(r, files)
	if len(notes) > 0 {
		text = strings.TrimPrefix(text+"\n"+strings.Join(notes, "\n"), "\n")
	}
	out := ans.afterFiles(r, text)
	notices, err := ans.fixedNotices(ctx, r, l, i)
	if err != nil {
		return nil, err
	}
	return append([]conversations.Outbound{out}, notices...), nil
}

// dropAttached keeps the files the store attached (added, by blob key) and says of the
// others that the answer has them already: the same file sent twice is attached once.
func (ans *Dialogue) dropAttached(r *step, files []conversations.EvidenceFile, added []string, notes []string) ([]conversations.EvidenceFile, []string) {
	left := map[string]int{}
	for _, k := range added {
		left[k]++
	}
	var kept []conversations.EvidenceFile
	for _, f := range files {
		if left[f.BlobKey] > 0 {
			left[f.BlobKey]--
			kept = append(kept, f)
			continue
		}
		r.State.Files--
		notes = append(notes, r.T(msgAlreadyAttached, f.Name))
	}
	return kept, notes
}

// intake checks, downloads, sniffs and stores each file (or takes what prepare did so
// before the step's transaction: File.Fetched). It returns the stored files and one
// refusal line per file that was not taken.
func (ans *Dialogue) intake(ctx context.Context, r *step) ([]conversations.EvidenceFile, []string) {
	var files []conversations.EvidenceFile
	var notes []string
	lang := r.Lang()
	max := ans.d.MaxFileBytes
	for k, f := range r.In.Files {
		name := fileName(f, k)
		if f.Size > max {
			notes = append(notes, r.T(msgTooBig, name, idfmt.Size(f.Size, lang), idfmt.Size(max, lang)))
			continue
		}
		got := f.Fetched
		if got == nil {
			v := ans.fetch(ctx, r.In.Address, f, name)
			got = &v
		}
		switch key(got.Refused) {
		case "":
			files = append(files, got.Stored)
		case msgTooBigUnknown:
			notes = append(notes, r.T(msgTooBigUnknown, name, idfmt.Size(max, lang)))
		case msgBadType:
			what := got.Detail
			if what == "" {
				what = r.T(msgUnknownType)
			}
			notes = append(notes, r.T(msgBadType, name, what))
		default: // msgDownloadFailed, msgEmptyFile, msgStoreFailed
			notes = append(notes, r.T(key(got.Refused), name))
		}
	}
	return files, notes
}

// fileName is the name of the k-th file of a message.
func fileName(f conversations.File, k int) string {
	if f.Name == "" {
		return fmt.Sprintf("file-%d", k+1)
	}
	return f.Name
}

// fetch downloads, sniffs and stores one file whose declared size was checked, or says
// why it was not stored (a text key).
func (ans *Dialogue) fetch(ctx context.Context, chat conversations.Address, f conversations.File, name string) conversations.Fetched {
	refuse := func(k key, detail string) conversations.Fetched {
		return conversations.Fetched{Refused: string(k), Detail: detail}
	}
	if f.Open == nil {
		return refuse(msgDownloadFailed, "")
	}
	data, err := readAtMost(ctx, f, ans.d.MaxFileBytes)
	if errors.Is(err, conversations.ErrFileTooBig) {
		return refuse(msgTooBigUnknown, "")
	}
	if err != nil {
		ans.d.Log.Warn("download evidence", "chat", chat.Key(), "name", name, "err", err)
		return refuse(msgDownloadFailed, "")
	}
	if len(data) == 0 {
		return refuse(msgEmptyFile, "")
	}
	mime, what := SniffEvidence(data)
	if mime == "" {
		return refuse(msgBadType, what)
	}
	blobKey, err := ans.d.Blobs.Put(ctx, data)
	if err != nil {
		ans.d.Log.Error("store evidence", "name", name, "err", err)
		return refuse(msgStoreFailed, "")
	}
	return conversations.Fetched{Stored: conversations.EvidenceFile{BlobKey: blobKey, MIME: mime, Size: int64(len(data)), Name: name}}
}

// prepare is the engine's Prepare hook: before the step's transaction, on the pool, it
// looks up the prompt the chat had been shown (bind, which may wait for a prompt's
// delivery record) and downloads, checks and stores the message's files (seconds on a
// slow link), so that the step holds a connection only for its own reads and writes.
func (ans *Dialogue) prepare(ctx context.Context, p conversations.Prep) {
	if p.Positional && ans.d.Prompts != nil {
		cur := asksOf(p.State)
		if asks, ok, err := ans.shown(ctx, p.In.Address, p.In.At, p.In.Seq, cur, len(p.In.Files) > 0); err == nil {
			p.In.Shown = &conversations.Shown{For: cur, Asks: asks, Found: ok}
		}
	}
	if p.State != nil && p.State.Mode == conversations.ModeIdle {
		return // files without a question are refused unread (receiveFiles)
	}
	for k := range p.In.Files {
		f := &p.In.Files[k]
		if f.Size > ans.d.MaxFileBytes {
			continue
		}
		v := ans.fetch(ctx, p.In.Address, *f, fileName(*f, k))
		f.Fetched = &v
	}
}

// readAtMost downloads a file, stopping one byte past max (declared sizes can lie).
func readAtMost(ctx context.Context, f conversations.File, max int64) ([]byte, error) {
	rc, err := f.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, conversations.ErrFileTooBig
	}
	return data, nil
}

func (ans *Dialogue) fileReceipts(r *step, files []conversations.EvidenceFile) string {
	lines := make([]string, len(files))
	for k, f := range files {
		lines[k] = r.T(msgFileReceived, f.Name, idfmt.Size(f.Size, r.Lang()))
	}
	return strings.Join(lines, "\n")
}

func (ans *Dialogue) evidenceButtons(r *step) []conversations.Button {
	return []conversations.Button{
		{Label: r.T(msgBtnDone), Data: "n:done:" + r.State.Question},
		{Label: r.T(msgBtnSkip), Data: "n:skip:" + r.State.Question},
	}
}

// evidencePrompt asks for files for question i.
func (ans *Dialogue) evidencePrompt(r *step, l *questionList, i int) conversations.Outbound {
	q := l.refs[i].Q
	lang := r.Lang()
	if r.State.OldFiles > 0 {
		return ans.askOldFiles(r, "")
	}
	var text string
	switch {
	case r.State.Files > 0:
		text = r.T(msgMoreFiles)
	case q.EvidenceRequired:
		text = r.T(msgEvidenceAsk, idfmt.Size(ans.d.MaxFileBytes, lang))
	default:
		text = r.T(msgEvidenceOptional, idfmt.Size(ans.d.MaxFileBytes, lang))
	}
	if a, ok := l.progress.Answers[q.Code]; ok && a.Evidence > r.State.Files {
		text += "\n" + r.T(msgCarried, a.Evidence-r.State.Files)
	}
	out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: text}
	return r.prompt(conversations.WithOptions(out, lang, ans.evidenceButtons(r)))
}

func (ans *Dialogue) narrativePrompt(r *step) conversations.Outbound {
	out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: r.T(msgNarrativeAsk)}
	return r.prompt(conversations.WithOptions(out, r.Lang(), []conversations.Button{{Label: r.T(msgBtnSkip), Data: "n:skip:" + r.State.Question}}))
}

var doneWords = map[string]bool{"selesai": true, "sudah": true, "cukup": true, "done": true,
	"finish": true, "finished": true, "beres": true, "ok": true, "oke": true, "next": true, "1": true}

// noNarrative are replies that mean "no narrative" rather than being one.
var noNarrative = map[string]bool{"": true, "-": true, "ok": true, "oke": true, "tidak": true,
	"tidak ada": true, "tdk": true, "tdk ada": true, "no": true, "none": true, "selesai": true,
	"cukup": true, "sudah": true, "done": true, "next": true, "lanjut": true, "kosong": true}

// evidenceText handles typed text while files are expected.
func (ans *Dialogue) evidenceText(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	if r.State.Stopped {
		return r.Replies(r.T(msgPaused)), nil
	}
	if out, ok, err := ans.listPick(ctx, r); ok || err != nil {
		return out, err
	}
	if r.clashing() {
		return ans.clashText(ctx, r)
	}
	if r.State.OldFiles > 0 {
		return ans.oldFilesText(ctx, r)
	}
	switch w := parse.Normalize(r.In.Text); {
	case doneWords[w]:
		return ans.finishEvidence(ctx, r)
	case w == "2":
		return ans.cmdSkip(ctx, r)
	case w == "ganti" || w == "replace":
		return ans.replaceEvidence(ctx, r)
	}
	out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: r.T(msgEvidenceWaiting)}
	return []conversations.Outbound{r.prompt(conversations.WithOptions(out, r.Lang(), ans.evidenceButtons(r)))}, nil
}

// finishEvidence ends file intake: on to the narrative when files came, else onwards.
func (ans *Dialogue) finishEvidence(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	if !ok {
		return ans.advance(ctx, r, "")
	}
	q := l.refs[i].Q
	if r.State.AnswerID != 0 { // a colleague may have saved a newer version since
		use, _, clash := ans.overtaken(r, l)
		if clash {
			return []conversations.Outbound{ans.askClash(r, q, "")}, nil
		}
		r.State.AnswerID = use
	}
	if r.State.OldFiles > 0 {
		return []conversations.Outbound{ans.askOldFiles(r, r.T(msgOldFilesFirst))}, nil
	}
	if a := l.progress.Answers[q.Code]; q.NeedsEvidence(a.Value) && a.Evidence == 0 {
		out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: r.T(msgEvidenceMissing)}
		return []conversations.Outbound{r.prompt(conversations.WithOptions(out, r.Lang(), ans.evidenceButtons(r)))}, nil
	}
	if r.State.Files > 0 {
		if r.State.AnswerID == 0 {
			r.State.AnswerID = l.progress.Answers[q.Code].ID
		}
		r.State.Mode = conversations.ModeNarrative
		return []conversations.Outbound{ans.narrativePrompt(r)}, nil
	}
	return ans.advance(ctx, r, "")
}

// replaceEvidence drops the carried-over files by writing a new version of the same
// answer without them (append-only: the old version keeps its files). What was sent for
// the version itself, or after a coordinator sent it back, stays (KeepRecent): ganti
// replaces the old files, not the new upload.
func (ans *Dialogue) replaceEvidence(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	a, answered := l.progress.Answers[r.State.Question]
	if !ok || !answered {
		return ans.reprompt(ctx, r)
	}
	q := l.refs[i].Q
	r.State.OldFiles = 0
	cp := *r.State
	cp.AnswerID = 0
	info, err := ans.d.Answers.SaveAnswer(ctx, AnswerWrite{Msg: r.Delivery(), RegionCode: r.Person.RegionCode,
		Year: r.State.Year, QuestionCode: q.Code, Value: a.Value, PersonID: r.Person.ID,
		CarryEvidence: true, KeepRecent: true, Checkpoint: &cp})
	if err != nil {
		return nil, fmt.Errorf("replace evidence of %s: %w", q.Code, err)
	}
	r.Checkpointed()
	r.State.AnswerID = info.ID
	r.State.Answered = &a.Value
	r.State.Files = info.Evidence
	l.savedAnswer(r, q.Code, info)
	l.progress.Answers[q.Code] = info
	return append(r.Replies(ans.replacedText(r, info.Evidence)), ans.evidencePrompt(r, l, i)), nil
}

// narrativeText stores the optional short narrative and moves on.
func (ans *Dialogue) narrativeText(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	if r.State.Stopped {
		return r.Replies(r.T(msgPaused)), nil
	}
	if out, ok, err := ans.listPick(ctx, r); ok || err != nil {
		return out, err
	}
	text := strings.TrimSpace(r.In.Text)
	if text == "1" || noNarrative[parse.Normalize(text)] { // the numbered "Lewati" option, "ok", "-"
		return ans.cmdSkip(ctx, r)
	}
	if utf8.RuneCountInString(text) > 2000 {
		return r.Replies(r.T(msgNarrativeLong)), nil
	}
	if utf8.RuneCountInString(text) < 2 {
		return []conversations.Outbound{ans.narrativePrompt(r)}, nil
	}
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	answerID := r.State.AnswerID
	if answerID == 0 {
		answerID = l.progress.Answers[r.State.Question].ID
	}
	from := l.pos[r.State.Question]
	next := l.nextOpen(from)
	ans.moveTo(r, l, next)
	cp := *r.State
	if err := ans.d.Answers.SetNarrative(ctx, NarrativeWrite{Msg: r.Delivery(), AnswerID: answerID, Text: text, Checkpoint: &cp}); err != nil {
		return nil, fmt.Errorf("narrative of answer %d: %w", answerID, err)
	}
	r.Checkpointed()
	return ans.continueAt(r, l, next, r.T(msgNarrativeSaved)), nil
}

// pressNav handles navigation buttons "done:CODE", "skip:CODE".
func (ans *Dialogue) pressNav(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	action, code, _ := strings.Cut(r.Args, ":")
	if action == "start" {
		return ans.cmdResume(ctx, r)
	}
	if action == "bind" { // which question a typed answer was for (bind.go)
		return ans.pressBind(ctx, r, code)
	}
	if code != r.State.Question || r.State.Mode == conversations.ModeIdle {
		return ans.staleButton(ctx, r)
	}
	r.State.Stopped = false
	switch {
	case action == "done" && r.State.Mode == conversations.ModeEvidence:
		return ans.finishEvidence(ctx, r)
	case action == "mine" && r.clashing():
		return ans.chooseMine(ctx, r)
	case action == "theirs" && r.clashing():
		return ans.chooseTheirs(ctx, r)
	case action == "keep" && r.State.Mode == conversations.ModeEvidence && r.State.OldFiles > 0:
		return ans.keepOldFiles(ctx, r)
	case action == "fresh" && r.State.Mode == conversations.ModeEvidence && r.State.OldFiles > 0:
		return ans.replaceEvidence(ctx, r)
	case action == "skip":
		return ans.cmdSkip(ctx, r)
	case action == "reuse" && r.State.Mode == conversations.ModeQuestion:
		l, err := ans.progressOf(ctx, r)
		if err != nil {
			return nil, err
		}
		i, ok := l.pos[code]
		if !ok {
			return ans.staleButton(ctx, r)
		}
		return ans.reuse(ctx, r, l, i)
	}
	return ans.staleButton(ctx, r)
}

// holdFiles keeps files sent before the answer, to attach them when it comes.
func (ans *Dialogue) holdFiles(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	files, notes := ans.intake(ctx, r)
	if r.State.HeldFor != r.State.Question {
		r.State.Held, r.State.HeldFor = nil, r.State.Question
	}
	for _, f := range files {
		dup := false
		for _, h := range r.State.Held {
			dup = dup || (h.BlobKey == f.BlobKey && h.Name == f.Name)
		}
		if !dup {
			r.State.Held = append(r.State.Held, f)
		}
	}
	var lines []string
	if len(files) > 0 {
		lines = append(lines, ans.fileReceipts(r, files))
	}
	lines = append(lines, notes...)
	if len(r.State.Held) > 0 {
		lines = append(lines, r.T(msgHeld))
	}
	return r.Replies(strings.Join(lines, "\n")), nil
}

// settleHeld drops held files when the person left their question without answering it.
func (ans *Dialogue) settleHeld(r *step) []conversations.Outbound {
	if len(r.State.Held) == 0 || r.State.HeldFor == r.State.Question && r.State.Mode == conversations.ModeQuestion {
		return nil
	}
	n := len(r.State.Held)
	r.State.Held, r.State.HeldFor = nil, ""
	return r.Replies(r.T(msgHeldDropped, n))
}
