package answering

import (
	"context"
	"errors"
	"fmt"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/parse"
	"strconv"
	"strings"

	"github.com/klabot/klabot/scoring"
)

// ask opens question i and renders it.
func (ans *Dialogue) ask(ctx context.Context, r *step, i int) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	ref := l.refs[i]
	if r.clashing() && r.State.Question == ref.Q.Code {
		// The person still chooses between their answer (unsaved, or saved with files and
		// overtaken) and a colleague's: opening the question again (lanjut, mulai, ubah N)
		// keeps the choice and asks it again.
		return []conversations.Outbound{ans.askClash(r, ref.Q, r.T(msgClashFirst))}, nil
	}
	r.State.Mode = conversations.ModeQuestion
	r.State.Question = ref.Q.Code
	r.State.AnswerID = 0
	r.State.Files = 0
	r.State.OldFiles = 0
	r.State.Clash, r.State.Answered = nil, nil
	r.State.Stopped = false
	return []conversations.Outbound{ans.renderQuestion(r, l, i)}, nil
}

// renderQuestion writes the question message: header, text, hint, current answer, and
// the allowed answers (buttons where the answer is a pick).
func (ans *Dialogue) renderQuestion(r *step, l *questionList, i int) conversations.Outbound {
	ref := l.refs[i]
	q := ref.Q
	lang := r.Lang()
	r.sawAnswer(l, q.Code)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n%s\n\n%s", clusterName(ref.Cluster), r.T(msgIndicator, ref.Indicator.Code, ref.Indicator.Name),
		r.T(msgQuestionNo, i+1, len(l.refs), q.Code), q.Text)
	if q.Help != "" {
		fmt.Fprintf(&b, "\nℹ️ %s", q.Help)
	}
	if a, ok := l.progress.Answers[q.Code]; ok {
		b.WriteString("\n\n" + r.T(msgCurrentAnswer, conversations.FormatValue(q, a.Value, lang), a.PersonName, idfmt.Date(a.At.In(r.Region.Location()), lang), a.Evidence))
		b.WriteString(l.reviewNote(q.Code, lang)) // the coordinator's note when it was sent back
	}
	b.WriteString(ans.suggestionLine(r, l, i)) // last year's answer, in a year carried from it
	if q.EvidenceRequired {
		b.WriteString("\n" + r.T(msgEvidenceNeeded))
	}
	var buttons []conversations.Button
	switch q.Type {
	case scoring.YesNo, scoring.YesPartialNo:
		for k, v := range parse.YesNoOptions(q.Type) {
			buttons = append(buttons, conversations.Button{Label: conversations.YesNoLabel(v, lang), Data: answerData(q.Code, k+1)})
		}
	case scoring.Choice:
		for k, o := range q.Options {
			buttons = append(buttons, conversations.Button{Label: o.Label, Data: answerData(q.Code, k+1)})
		}
	case scoring.Number:
		b.WriteString("\n\n" + r.T(msgHintNumber))
	case scoring.Percent:
		b.WriteString("\n\n" + r.T(msgHintPercent))
		if q.Target > 0 {
			b.WriteString(" " + r.T(msgHintTarget, idfmt.Number(q.Target, lang)))
		}
	case scoring.Date:
		b.WriteString("\n\n" + r.T(msgHintDate))
	case scoring.Text:
		b.WriteString("\n\n" + r.T(msgHintText))
	case scoring.File:
		b.WriteString("\n\n" + r.T(msgHintFile, idfmt.Size(ans.d.MaxFileBytes, lang)))
	}
	if _, ok := l.suggestion(q.Code); ok && len(buttons) > 0 {
		// After the options, so that their numbers stay; without options "pakai" is typed
		// (a numbered menu would take a typed number for the button).
		buttons = append(buttons, r.reuseButton(q.Code))
	}
	out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: b.String()}
	out = conversations.WithOptions(out, lang, buttons)
	out.Text += "\n" + r.T(msgNavHint)
	if r.State.Mode == conversations.ModeQuestion && r.State.Question == q.Code {
		out = r.prompt(out)
	}
	return out
}

func clusterName(c *scoring.Cluster) string {
	if c.Name != "" {
		return c.Name
	}
	if n, ok := scoring.ClusterNames[c.Code]; ok {
		return n
	}
	return c.Code
}

// answerData is the button data of option k (1-based) of question code. It names the
// question so that a press on an old message cannot answer another question.
func answerData(code string, k int) string { return "a:" + code + ":" + strconv.Itoa(k) }

// answerText reads a typed answer to the open question.
func (ans *Dialogue) answerText(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	if r.State.Stopped {
		return r.Replies(r.T(msgPaused)), nil
	}
	if out, ok, err := ans.listPick(ctx, r); ok || err != nil {
		return out, err
	}
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	if !ok {
		return ans.cmdResume(ctx, r)
	}
	if r.clashing() { // a colleague's answer came first: which one stands?
		return ans.clashText(ctx, r)
	}
	if wantsReuse(r, l, i) {
		return ans.reuse(ctx, r, l, i)
	}
	a, err := parse.ParseAnswerWith(l.refs[i].Q, r.In.Text, r.parseOptions())
	var pe *parse.ParseError
	if errors.As(err, &pe) {
		return ans.correction(r, l, i, key(pe.Key)), nil
	}
	if err != nil {
		return nil, err
	}
	if a.Whole > 0 { // "45 dari 60 desa": say how the percentage came about
		r.savedNote = r.T(msgComputedPercent, idfmt.Number(a.Part, r.Lang()), idfmt.Number(a.Whole, r.Lang()), idfmt.Number(a.Value.Number, r.Lang()))
	}
	return ans.saveAnswer(ctx, r, l, i, a.Value, nil)
}

// parseOptions are how the person's answers are read: their language and today's
// date in the region's zone.
func (r *step) parseOptions() parse.Options {
	return parse.Options{Lang: r.Lang(), Today: r.Now.In(r.Region.Location())}
}

// correction is the specific correction followed by the same question again.
func (ans *Dialogue) correction(r *step, l *questionList, i int, k key) []conversations.Outbound {
	q := l.refs[i].Q
	hint := r.T(k)
	if k == msgBadChoice || k == msgBadYesNo || k == msgBadYesPartialNo || k == msgUnsure {
		n := len(q.Options)
		if q.Type != scoring.Choice {
			n = len(parse.YesNoOptions(q.Type))
		}
		hint = r.T(k, conversations.NumberList(n, r.Lang()))
	}
	return append(r.Replies(hint), ans.renderQuestion(r, l, i))
}

// pressAnswer handles an answer button "CODE:K".
func (ans *Dialogue) pressAnswer(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	i := strings.LastIndexByte(r.Args, ':')
	if i < 0 {
		return r.Replies(r.OldButtonText()), nil
	}
	code, k := r.Args[:i], r.Args[i+1:]
	if code != r.State.Question || r.State.Mode != conversations.ModeQuestion {
		return ans.staleButton(ctx, r)
	}
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	qi, ok := l.pos[code]
	if !ok {
		return ans.staleButton(ctx, r)
	}
	r.State.Stopped = false
	v, err := parse.ParseAnswer(l.refs[qi].Q, k)
	var pe *parse.ParseError
	if errors.As(err, &pe) {
		return ans.correction(r, l, qi, key(pe.Key)), nil
	}
	if err != nil {
		return nil, err
	}
	return ans.saveAnswer(ctx, r, l, qi, v, nil)
}

// staleButton answers a press on a button of an earlier message: politely, and with the
// question that is open now.
func (ans *Dialogue) staleButton(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	outs := r.Replies(r.OldButtonText())
	more, err := ans.reprompt(ctx, r)
	for i := range more { // dropped if the person answers before it is delivered
		more[i].Repeat = true
	}
	return append(outs, more...), err
}

// reprompt repeats what the person is asked now (question, evidence or narrative).
func (ans *Dialogue) reprompt(ctx context.Context, r *step) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	switch {
	case !ok || r.State.Mode == conversations.ModeIdle:
		return r.Replies(r.T(msgIdleHint)), nil
	case r.clashing(): // still to choose between a colleague's answer and theirs
		return []conversations.Outbound{ans.askClash(r, l.refs[i].Q, r.T(msgClashFirst))}, nil
	case r.State.Mode == conversations.ModeEvidence:
		return []conversations.Outbound{ans.evidencePrompt(r, l, i)}, nil
	case r.State.Mode == conversations.ModeNarrative:
		return []conversations.Outbound{ans.narrativePrompt(r)}, nil
	}
	return []conversations.Outbound{ans.renderQuestion(r, l, i)}, nil
}

// saveAnswer writes a new answer version (with files for file questions) and moves on:
// to evidence intake when the question wants proof, otherwise to the next question.
func (ans *Dialogue) saveAnswer(ctx context.Context, r *step, l *questionList, i int, v scoring.Value, files []conversations.EvidenceFile) ([]conversations.Outbound, error) {
	q := l.refs[i].Q
	expect, check, clash := r.expectedVersion(l, q, v)
	if clash {
		return ans.clashOnAnswer(r, l, i, v, files), nil
	}
	before := r.State.Clone()
	held := 0
	if r.State.HeldFor == q.Code && len(r.State.Held) > 0 {
		held = len(r.State.Held)
		files = append(append([]conversations.EvidenceFile(nil), r.State.Held...), files...)
	}
	r.State.Held, r.State.HeldFor = nil, ""
	wantsFiles := q.NeedsEvidence(v) || q.Type == scoring.File // a negative answer needs no proof
	// A negative answer to a sent-back question does not take the files the coordinator
	// sent back (nothing to ask: it needs none), and the person hears it.
	dropOld := !wantsFiles && oldFilesOf(l, q.Code) > 0
	next := -1
	if wantsFiles {
		r.State.Mode = conversations.ModeEvidence
		r.State.AnswerID = 0
		r.State.Files = len(files)
		r.State.OldFiles = oldFilesOf(l, q.Code) // the files the coordinator saw: ask about them
		r.State.Answered = &v
	} else {
		// Count the question as answered before choosing the next one.
		l.progress.Answers[q.Code] = AnswerInfo{}
		next = l.nextOpen(i)
		ans.moveTo(r, l, next)
	}
	r.State.Clash = nil
	cp := *r.State
	info, err := ans.d.Answers.SaveAnswer(ctx, AnswerWrite{
		Msg: r.Delivery(), RegionCode: r.Person.RegionCode, Year: r.State.Year, QuestionCode: q.Code,
		Value: v, PersonID: r.Person.ID, CarryEvidence: true, KeepRecent: dropOld, Evidence: files, Checkpoint: &cp,
		CheckVersion: check, ExpectVersion: expect,
	})
	if errors.Is(err, conversations.ErrConflict) { // a colleague saved one between the read and the write
		*r.State = before
		l.refresh()
		if l, err = ans.progressOf(ctx, r); err != nil {
			return nil, err
		}
		return ans.clashOnAnswer(r, l, i, v, files[held:]), nil
	}
	if err != nil {
		return nil, fmt.Errorf("save answer %s: %w", q.Code, err)
	}
	r.Checkpointed()
	var notices []conversations.Outbound
	if l.sentBack(q.Code) {
		l.settle(q.Code)
		if notices, err = ans.fixedNotices(ctx, r, l, i); err != nil {
			return nil, err
		}
	}
	if info.PersonName == "" {
		info.PersonName = r.Person.Name
	}
	l.savedAnswer(r, q.Code, info)
	l.progress.Answers[q.Code] = info
	delete(l.progress.Skipped, q.Code)
	saved := endSentence(r.T(msgSaved, conversations.FormatValue(q, v, r.Lang())))
	if r.savedNote != "" {
		saved += " " + r.savedNote
	}
	if dropOld {
		saved += " " + r.T(msgOldDropped)
	}
	if held > 0 {
		saved += " " + r.T(msgHeldAttached, held)
	}
	if wantsFiles {
		r.State.AnswerID = info.ID
		var outs []conversations.Outbound
		if quiet := held + r.reused; len(files) > quiet {
			outs = r.Replies(saved + "\n" + ans.fileReceipts(r, files[quiet:]))
		} else {
			outs = r.Replies(saved)
		}
		return append(append(outs, ans.evidencePrompt(r, l, i)), notices...), nil
	}
	return append(ans.continueAt(r, l, next, saved), notices...), nil
}

// moveTo sets the state to question next, or to finished when next is -1.
func (ans *Dialogue) moveTo(r *step, l *questionList, next int) {
	r.State.AnswerID, r.State.Files, r.State.OldFiles, r.State.Stopped = 0, 0, 0, false
	r.State.Clash, r.State.Answered = nil, nil
	if next < 0 {
		r.State.Mode = conversations.ModeIdle
		r.State.Question = ""
		return
	}
	r.State.Mode = conversations.ModeQuestion
	r.State.Question = l.refs[next].Q.Code
}

// continueAt renders the question the state moved to (or the closing summary), after a
// first line such as "Tersimpan: Ya.".
func (ans *Dialogue) continueAt(r *step, l *questionList, next int, first string) []conversations.Outbound {
	var outs []conversations.Outbound
	if first != "" {
		outs = r.Replies(first)
	}
	if next < 0 {
		return append(outs, ans.summary(r, l))
	}
	return append(outs, ans.renderQuestion(r, l, next))
}

// advance moves from the current question to the next open one.
func (ans *Dialogue) advance(ctx context.Context, r *step, first string) ([]conversations.Outbound, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	from := -1
	if i, ok := l.pos[r.State.Question]; ok {
		from = i
	}
	next := l.nextOpen(from)
	ans.moveTo(r, l, next)
	return ans.continueAt(r, l, next, first), nil
}

// summary closes the OPD's questionnaire: what was answered and what is still missing.
func (ans *Dialogue) summary(r *step, l *questionList) conversations.Outbound {
	c := l.counts()
	var b strings.Builder
	b.WriteString(r.T(msgAllDone, opdName(l)))
	b.WriteString("\n" + r.T(msgCounts, c.answered, len(l.refs), c.evidenced, c.skipped))
	var missing []string
	for i, ref := range l.refs {
		a, ok := l.progress.Answers[ref.Q.Code]
		switch {
		case !ok && l.progress.Skipped[ref.Q.Code]:
			missing = append(missing, fmt.Sprintf("%d. %s — %s", i+1, conversations.Shorten(ref.Q.Text, 60), r.T(msgSkippedMark)))
		case ok && ref.Q.NeedsEvidence(a.Value) && a.Evidence == 0:
			missing = append(missing, fmt.Sprintf("%d. %s — %s", i+1, conversations.Shorten(ref.Q.Text, 60), r.T(msgNoEvidenceMark)))
		}
	}
	if len(missing) > 0 {
		b.WriteString("\n\n" + r.T(msgStillMissing) + "\n" + strings.Join(capList(missing, 20, r), "\n"))
		// A numbered list like daftar's: the next message may pick from it (listPick).
		b.WriteString("\n" + r.T(msgListPickHint))
		r.State.Listed = r.In.MessageID
	} else {
		b.WriteString("\n" + r.T(msgNothingMissing))
	}
	return r.prompt(conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: b.String()})
}

func capList(lines []string, n int, r *step) []string {
	if len(lines) <= n {
		return lines
	}
	return append(lines[:n:n], r.T(msgAndMore, len(lines)-n))
}

func opdName(l *questionList) string {
	if l.opd == nil {
		return ""
	}
	return l.opd.Name
}
