package conversations

import (
	"context"
	"errors"
	"fmt"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/parse"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/klabot/klabot/scoring"
)

// receiveFiles takes photos and documents: evidence for the answer just given, or the
// answer itself for a file question.
func (e *Engine) receiveFiles(ctx context.Context, r *Request) ([]Outbound, error) {
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	switch {
	case !ok || r.State.Mode == ModeIdle:
		return e.replies(r, r.T(msgFileIdle)), nil
	case r.State.Mode == ModeNarrative:
		// More files after "selesai" are still welcome: back to evidence intake.
		r.State.Mode = ModeEvidence
	case r.State.Mode == ModeQuestion && l.refs[i].Q.Type != scoring.File:
		a, answered := l.progress.Answers[r.State.Question]
		if !answered || r.clashing() { // before the answer (or while it waits for the choice)
			return e.holdFiles(ctx, r)
		}
		// An answered question (after kembali or ubah N): the files are evidence of its
		// current answer, as with bukti N.
		r.State.Mode, r.State.AnswerID, r.State.Files = ModeEvidence, a.ID, 0
		r.State.Answered = &a.Value
	}
	r.State.Stopped = false
	files, notes := e.intake(ctx, r)
	if len(files) == 0 {
		outs := e.replies(r, strings.Join(notes, "\n"))
		if r.State.Mode == ModeQuestion {
			outs = append(outs, e.renderQuestion(r, l, i))
		}
		return outs, nil
	}
	if r.State.Mode == ModeQuestion { // a file question: the files are the answer
		outs, err := e.saveAnswer(ctx, r, l, i, scoring.Value{}, files)
		if err != nil || len(notes) == 0 {
			return outs, err
		}
		return append(e.replies(r, strings.Join(notes, "\n")), outs...), nil
	}
	r.State.Files += len(files)
	var added []string
	var note string
	for attempt := 0; ; attempt++ {
		answerID := r.State.AnswerID
		var clash bool
		if answerID != 0 { // a colleague may have saved a newer version since
			answerID, note, clash = e.overtaken(r, l)
		}
		if answerID == 0 { // rebuilt state: the current version of the question
			answerID = l.progress.Answers[r.State.Question].ID
		}
		if answerID == 0 {
			return e.replies(r, r.T(msgFileIdle)), nil
		}
		r.State.AnswerID = answerID
		if code := r.State.Question; l.sentBack(code) && answerID == l.progress.Answers[code].ID {
			return e.fixSentBack(ctx, r, l, i, files, notes)
		}
		cp := *r.State
		// Files for the current version expect it to stay current until they are in
		// (a colleague's save in between would not carry them).
		added, err = e.d.Answers.AddEvidence(ctx, EvidenceWrite{Msg: r.Delivery(), AnswerID: answerID,
			PersonID: r.Person.ID, Files: files, Checkpoint: &cp, ExpectCurrent: !clash})
		if errors.Is(err, ErrConflict) && attempt == 0 { // decide again on what is current now
			l.refresh()
			if l, err = e.progressOf(ctx, r); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("add evidence to answer %d: %w", answerID, err)
		}
		break
	}
	files, notes = e.dropAttached(r, files, added, notes)
	r.checkpointed = true
	if note != "" {
		notes = append(notes, note)
	}
	text := e.fileReceipts(r, files)
	if len(notes) > 0 {
		text = strings.TrimPrefix(text+"\n"+strings.Join(notes, "\n"), "\n")
	}
	if r.clashing() { // told at once, not at "selesai"
		return []Outbound{e.askClash(r, l.refs[i].Q, text)}, nil
	}
	return []Outbound{e.afterFiles(r, text)}, nil
}

// fixSentBack attaches files to an answer a coordinator sent back: as a new version
// (same value, the earlier evidence carried over, the new files), so that it returns
// to the review queue as diubah, and the region's coordinators are told once.
func (e *Engine) fixSentBack(ctx context.Context, r *Request, l *questionList, i int, files []EvidenceFile, notes []string) ([]Outbound, error) {
	q := l.refs[i].Q
	cur := l.progress.Answers[q.Code]
	r.State.OldFiles = oldFilesOf(l, q.Code) // the files the coordinator saw: ask about them
	r.State.Answered = &cur.Value
	cp := *r.State
	info, err := e.d.Answers.SaveAnswer(ctx, AnswerWrite{Msg: r.Delivery(), RegionCode: r.Person.RegionCode, Year: r.State.Year,
		QuestionCode: q.Code, Value: cur.Value, PersonID: r.Person.ID, CarryEvidence: true, Evidence: files, Checkpoint: &cp})
	if err != nil {
		return nil, fmt.Errorf("fix sent-back answer %s: %w", q.Code, err)
	}
	r.checkpointed = true
	r.State.AnswerID = info.ID
	l.progress.Answers[q.Code] = info
	l.settle(q.Code)
	text := e.fileReceipts(r, files)
	if len(notes) > 0 {
		text = strings.TrimPrefix(text+"\n"+strings.Join(notes, "\n"), "\n")
	}
	out := e.afterFiles(r, text)
	notices, err := e.fixedNotices(ctx, r, l, i)
	if err != nil {
		return nil, err
	}
	return append([]Outbound{out}, notices...), nil
}

// dropAttached keeps the files the store attached (added, by blob key) and says of the
// others that the answer has them already: the same file sent twice is attached once.
func (e *Engine) dropAttached(r *Request, files []EvidenceFile, added []string, notes []string) ([]EvidenceFile, []string) {
	left := map[string]int{}
	for _, k := range added {
		left[k]++
	}
	var kept []EvidenceFile
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

// intake checks, downloads, sniffs and stores each file. It returns the stored files
// and one refusal line per file that was not taken.
func (e *Engine) intake(ctx context.Context, r *Request) ([]EvidenceFile, []string) {
	var files []EvidenceFile
	var notes []string
	lang := r.Lang()
	max := e.cfg.MaxFileBytes
	for k, f := range r.In.Files {
		name := f.Name
		if name == "" {
			name = fmt.Sprintf("file-%d", k+1)
		}
		if f.Size > max {
			notes = append(notes, r.T(msgTooBig, name, idfmt.Size(f.Size, lang), idfmt.Size(max, lang)))
			continue
		}
		if f.Open == nil {
			notes = append(notes, r.T(msgDownloadFailed, name))
			continue
		}
		data, err := readAtMost(ctx, f, max)
		if errors.Is(err, ErrFileTooBig) {
			notes = append(notes, r.T(msgTooBigUnknown, name, idfmt.Size(max, lang)))
			continue
		}
		if err != nil {
			e.d.Log.Warn("download evidence", "chat", r.In.Address.Key(), "name", name, "err", err)
			notes = append(notes, r.T(msgDownloadFailed, name))
			continue
		}
		if len(data) == 0 {
			notes = append(notes, r.T(msgEmptyFile, name))
			continue
		}
		mime, what := SniffEvidence(data)
		if what == "" {
			what = r.T(msgUnknownType)
		}
		if mime == "" {
			notes = append(notes, r.T(msgBadType, name, what))
			continue
		}
		key, err := e.d.Blobs.Put(ctx, data)
		if err != nil {
			e.d.Log.Error("store evidence", "name", name, "err", err)
			notes = append(notes, r.T(msgStoreFailed, name))
			continue
		}
		files = append(files, EvidenceFile{BlobKey: key, MIME: mime, Size: int64(len(data)), Name: name})
	}
	return files, notes
}

// readAtMost downloads a file, stopping one byte past max (declared sizes can lie).
func readAtMost(ctx context.Context, f File, max int64) ([]byte, error) {
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
		return nil, ErrFileTooBig
	}
	return data, nil
}

func (e *Engine) fileReceipts(r *Request, files []EvidenceFile) string {
	lines := make([]string, len(files))
	for k, f := range files {
		lines[k] = r.T(msgFileReceived, f.Name, idfmt.Size(f.Size, r.Lang()))
	}
	return strings.Join(lines, "\n")
}

func (e *Engine) evidenceButtons(r *Request) []Button {
	return []Button{
		{Label: r.T(msgBtnDone), Data: "n:done:" + r.State.Question},
		{Label: r.T(msgBtnSkip), Data: "n:skip:" + r.State.Question},
	}
}

// evidencePrompt asks for files for question i.
func (e *Engine) evidencePrompt(r *Request, l *questionList, i int) Outbound {
	q := l.refs[i].Q
	lang := r.Lang()
	if r.State.OldFiles > 0 {
		return e.askOldFiles(r, "")
	}
	var text string
	switch {
	case r.State.Files > 0:
		text = r.T(msgMoreFiles)
	case q.EvidenceRequired:
		text = r.T(msgEvidenceAsk, idfmt.Size(e.cfg.MaxFileBytes, lang))
	default:
		text = r.T(msgEvidenceOptional, idfmt.Size(e.cfg.MaxFileBytes, lang))
	}
	if a, ok := l.progress.Answers[q.Code]; ok && a.Evidence > r.State.Files {
		text += "\n" + r.T(msgCarried, a.Evidence-r.State.Files)
	}
	out := Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: text}
	return WithOptions(out, lang, e.evidenceButtons(r))
}

func (e *Engine) narrativePrompt(r *Request) Outbound {
	out := Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: r.T(msgNarrativeAsk)}
	return WithOptions(out, r.Lang(), []Button{{Label: r.T(msgBtnSkip), Data: "n:skip:" + r.State.Question}})
}

var doneWords = map[string]bool{"selesai": true, "sudah": true, "cukup": true, "done": true,
	"finish": true, "finished": true, "beres": true, "ok": true, "oke": true, "next": true, "1": true}

// noNarrative are replies that mean "no narrative" rather than being one.
var noNarrative = map[string]bool{"": true, "-": true, "ok": true, "oke": true, "tidak": true,
	"tidak ada": true, "tdk": true, "tdk ada": true, "no": true, "none": true, "selesai": true,
	"cukup": true, "sudah": true, "done": true, "next": true, "lanjut": true, "kosong": true}

// evidenceText handles typed text while files are expected.
func (e *Engine) evidenceText(ctx context.Context, r *Request) ([]Outbound, error) {
	if r.State.Stopped {
		return e.replies(r, r.T(msgPaused)), nil
	}
	if r.clashing() {
		return e.clashText(ctx, r)
	}
	if r.State.OldFiles > 0 {
		return e.oldFilesText(ctx, r)
	}
	switch w := parse.Normalize(r.In.Text); {
	case doneWords[w]:
		return e.finishEvidence(ctx, r)
	case w == "2":
		return e.cmdSkip(ctx, r)
	case w == "ganti" || w == "replace":
		return e.replaceEvidence(ctx, r)
	}
	out := Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: r.T(msgEvidenceWaiting)}
	return []Outbound{WithOptions(out, r.Lang(), e.evidenceButtons(r))}, nil
}

// finishEvidence ends file intake: on to the narrative when files came, else onwards.
func (e *Engine) finishEvidence(ctx context.Context, r *Request) ([]Outbound, error) {
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	if !ok {
		return e.advance(ctx, r, "")
	}
	q := l.refs[i].Q
	if r.State.AnswerID != 0 { // a colleague may have saved a newer version since
		use, _, clash := e.overtaken(r, l)
		if clash {
			return []Outbound{e.askClash(r, q, "")}, nil
		}
		r.State.AnswerID = use
	}
	if r.State.OldFiles > 0 {
		return []Outbound{e.askOldFiles(r, r.T(msgOldFilesFirst))}, nil
	}
	if a := l.progress.Answers[q.Code]; q.NeedsEvidence(a.Value) && a.Evidence == 0 {
		out := Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: r.T(msgEvidenceMissing)}
		return []Outbound{WithOptions(out, r.Lang(), e.evidenceButtons(r))}, nil
	}
	if r.State.Files > 0 {
		if r.State.AnswerID == 0 {
			r.State.AnswerID = l.progress.Answers[q.Code].ID
		}
		r.State.Mode = ModeNarrative
		return []Outbound{e.narrativePrompt(r)}, nil
	}
	return e.advance(ctx, r, "")
}

// replaceEvidence drops the carried-over files by writing a new version of the same
// answer without them (append-only: the old version keeps its files). What was sent for
// the version itself, or after a coordinator sent it back, stays (KeepRecent): ganti
// replaces the old files, not the new upload.
func (e *Engine) replaceEvidence(ctx context.Context, r *Request) ([]Outbound, error) {
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	a, answered := l.progress.Answers[r.State.Question]
	if !ok || !answered {
		return e.reprompt(ctx, r)
	}
	q := l.refs[i].Q
	r.State.OldFiles = 0
	cp := *r.State
	cp.AnswerID = 0
	info, err := e.d.Answers.SaveAnswer(ctx, AnswerWrite{Msg: r.Delivery(), RegionCode: r.Person.RegionCode,
		Year: r.State.Year, QuestionCode: q.Code, Value: a.Value, PersonID: r.Person.ID,
		CarryEvidence: true, KeepRecent: true, Checkpoint: &cp})
	if err != nil {
		return nil, fmt.Errorf("replace evidence of %s: %w", q.Code, err)
	}
	r.checkpointed = true
	r.State.AnswerID = info.ID
	r.State.Answered = &a.Value
	r.State.Files = info.Evidence
	l.progress.Answers[q.Code] = info
	return append(e.replies(r, e.replacedText(r, info.Evidence)), e.evidencePrompt(r, l, i)), nil
}

// narrativeText stores the optional short narrative and moves on.
func (e *Engine) narrativeText(ctx context.Context, r *Request) ([]Outbound, error) {
	if r.State.Stopped {
		return e.replies(r, r.T(msgPaused)), nil
	}
	text := strings.TrimSpace(r.In.Text)
	if text == "1" || noNarrative[parse.Normalize(text)] { // the numbered "Lewati" option, "ok", "-"
		return e.cmdSkip(ctx, r)
	}
	if utf8.RuneCountInString(text) > 2000 {
		return e.replies(r, r.T(msgNarrativeLong)), nil
	}
	if utf8.RuneCountInString(text) < 2 {
		return []Outbound{e.narrativePrompt(r)}, nil
	}
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	answerID := r.State.AnswerID
	if answerID == 0 {
		answerID = l.progress.Answers[r.State.Question].ID
	}
	from := l.pos[r.State.Question]
	next := l.nextOpen(from)
	e.moveTo(r, l, next)
	cp := *r.State
	if err := e.d.Answers.SetNarrative(ctx, NarrativeWrite{Msg: r.Delivery(), AnswerID: answerID, Text: text, Checkpoint: &cp}); err != nil {
		return nil, fmt.Errorf("narrative of answer %d: %w", answerID, err)
	}
	r.checkpointed = true
	return e.continueAt(r, l, next, r.T(msgNarrativeSaved)), nil
}

// pressNav handles navigation buttons "done:CODE", "skip:CODE".
func (e *Engine) pressNav(ctx context.Context, r *Request) ([]Outbound, error) {
	action, code, _ := strings.Cut(r.Args, ":")
	if action == "start" {
		return e.cmdResume(ctx, r)
	}
	if code != r.State.Question || r.State.Mode == ModeIdle {
		return e.staleButton(ctx, r)
	}
	r.State.Stopped = false
	switch {
	case action == "done" && r.State.Mode == ModeEvidence:
		return e.finishEvidence(ctx, r)
	case action == "mine" && r.clashing():
		return e.chooseMine(ctx, r)
	case action == "theirs" && r.clashing():
		return e.chooseTheirs(ctx, r)
	case action == "keep" && r.State.Mode == ModeEvidence && r.State.OldFiles > 0:
		return e.keepOldFiles(ctx, r)
	case action == "fresh" && r.State.Mode == ModeEvidence && r.State.OldFiles > 0:
		return e.replaceEvidence(ctx, r)
	case action == "skip":
		return e.cmdSkip(ctx, r)
	}
	return e.staleButton(ctx, r)
}

// holdFiles keeps files sent before the answer, to attach them when it comes.
func (e *Engine) holdFiles(ctx context.Context, r *Request) ([]Outbound, error) {
	files, notes := e.intake(ctx, r)
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
		lines = append(lines, e.fileReceipts(r, files))
	}
	lines = append(lines, notes...)
	if len(r.State.Held) > 0 {
		lines = append(lines, r.T(msgHeld))
	}
	return e.replies(r, strings.Join(lines, "\n")), nil
}

// settleHeld drops held files when the person left their question without answering it.
func (e *Engine) settleHeld(r *Request) []Outbound {
	if len(r.State.Held) == 0 || r.State.HeldFor == r.State.Question && r.State.Mode == ModeQuestion {
		return nil
	}
	n := len(r.State.Held)
	r.State.Held, r.State.HeldFor = nil, ""
	return e.replies(r, r.T(msgHeldDropped, n))
}
