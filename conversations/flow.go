package conversations

import (
	"context"
	"errors"
	"fmt"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/parse"
	"strconv"
	"strings"

	"github.com/klabot/klabot/scoring"
)

// ask opens question i and renders it.
func (e *Engine) ask(ctx context.Context, r *Request, i int) ([]Outbound, error) {
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	ref := l.refs[i]
	r.State.Mode = ModeQuestion
	r.State.Question = ref.Q.Code
	r.State.AnswerID = 0
	r.State.Files = 0
	r.State.OldFiles = 0
	r.State.Clash, r.State.Answered = nil, nil
	r.State.Stopped = false
	return []Outbound{e.renderQuestion(r, l, i)}, nil
}

// renderQuestion writes the question message: header, text, hint, current answer, and
// the allowed answers (buttons where the answer is a pick).
func (e *Engine) renderQuestion(r *Request, l *questionList, i int) Outbound {
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
		b.WriteString("\n\n" + r.T(msgCurrentAnswer, FormatValue(q, a.Value, lang), a.PersonName, idfmt.Date(a.At.In(r.Region.Location()), lang), a.Evidence))
		b.WriteString(l.reviewNote(q.Code, lang)) // the coordinator's note when it was sent back
	}
	if q.EvidenceRequired {
		b.WriteString("\n" + r.T(msgEvidenceNeeded))
	}
	var buttons []Button
	switch q.Type {
	case scoring.YesNo, scoring.YesPartialNo:
		for k, v := range parse.YesNoOptions(q.Type) {
			buttons = append(buttons, Button{Label: yesNoLabel(v, lang), Data: answerData(q.Code, k+1)})
		}
	case scoring.Choice:
		for k, o := range q.Options {
			buttons = append(buttons, Button{Label: o.Label, Data: answerData(q.Code, k+1)})
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
		b.WriteString("\n\n" + r.T(msgHintFile, idfmt.Size(e.cfg.MaxFileBytes, lang)))
	}
	out := Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: b.String()}
	out = WithOptions(out, lang, buttons)
	out.Text += "\n" + r.T(msgNavHint)
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
func (e *Engine) answerText(ctx context.Context, r *Request) ([]Outbound, error) {
	if r.State.Stopped {
		return e.replies(r, r.T(msgPaused)), nil
	}
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	if !ok {
		return e.cmdResume(ctx, r)
	}
	if r.clashing() { // a colleague's answer came first: which one stands?
		return e.clashText(ctx, r)
	}
	a, err := parse.ParseAnswerWith(l.refs[i].Q, r.In.Text, r.parseOptions())
	var pe *parse.ParseError
	if errors.As(err, &pe) {
		return e.correction(r, l, i, msgKey(pe.Key)), nil
	}
	if err != nil {
		return nil, err
	}
	if a.Whole > 0 { // "45 dari 60 desa": say how the percentage came about
		r.savedNote = r.T(msgComputedPercent, idfmt.Number(a.Part, r.Lang()), idfmt.Number(a.Whole, r.Lang()), idfmt.Number(a.Value.Number, r.Lang()))
	}
	return e.saveAnswer(ctx, r, l, i, a.Value, nil)
}

// parseOptions are how the person's answers are read: their language and today's
// date in the region's zone.
func (r *Request) parseOptions() parse.Options {
	return parse.Options{Lang: r.Lang(), Today: r.Now.In(r.Region.Location())}
}

// correction is the specific correction followed by the same question again.
func (e *Engine) correction(r *Request, l *questionList, i int, k msgKey) []Outbound {
	q := l.refs[i].Q
	hint := r.T(k)
	if k == msgBadChoice || k == msgBadYesNo || k == msgBadYesPartialNo || k == msgUnsure {
		n := len(q.Options)
		if q.Type != scoring.Choice {
			n = len(parse.YesNoOptions(q.Type))
		}
		hint = r.T(k, numberList(n, r.Lang()))
	}
	return append(e.replies(r, hint), e.renderQuestion(r, l, i))
}

// pressAnswer handles an answer button "CODE:K".
func (e *Engine) pressAnswer(ctx context.Context, r *Request) ([]Outbound, error) {
	i := strings.LastIndexByte(r.Args, ':')
	if i < 0 {
		return e.replies(r, r.T(msgOldButton)), nil
	}
	code, k := r.Args[:i], r.Args[i+1:]
	if code != r.State.Question || r.State.Mode != ModeQuestion {
		return e.staleButton(ctx, r)
	}
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	qi, ok := l.pos[code]
	if !ok {
		return e.staleButton(ctx, r)
	}
	r.State.Stopped = false
	v, err := parse.ParseAnswer(l.refs[qi].Q, k)
	var pe *parse.ParseError
	if errors.As(err, &pe) {
		return e.correction(r, l, qi, msgKey(pe.Key)), nil
	}
	if err != nil {
		return nil, err
	}
	return e.saveAnswer(ctx, r, l, qi, v, nil)
}

// staleButton answers a press on a button of an earlier message: politely, and with the
// question that is open now.
func (e *Engine) staleButton(ctx context.Context, r *Request) ([]Outbound, error) {
	outs := e.replies(r, r.T(msgOldButton))
	more, err := e.reprompt(ctx, r)
	return append(outs, more...), err
}

// reprompt repeats what the person is asked now (question, evidence or narrative).
func (e *Engine) reprompt(ctx context.Context, r *Request) ([]Outbound, error) {
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	i, ok := l.pos[r.State.Question]
	switch {
	case !ok || r.State.Mode == ModeIdle:
		return e.replies(r, r.T(msgIdleHint)), nil
	case r.clashing(): // still to choose between a colleague's answer and theirs
		return []Outbound{e.askClash(r, l.refs[i].Q, "")}, nil
	case r.State.Mode == ModeEvidence:
		return []Outbound{e.evidencePrompt(r, l, i)}, nil
	case r.State.Mode == ModeNarrative:
		return []Outbound{e.narrativePrompt(r)}, nil
	}
	return []Outbound{e.renderQuestion(r, l, i)}, nil
}

// saveAnswer writes a new answer version (with files for file questions) and moves on:
// to evidence intake when the question wants proof, otherwise to the next question.
func (e *Engine) saveAnswer(ctx context.Context, r *Request, l *questionList, i int, v scoring.Value, files []EvidenceFile) ([]Outbound, error) {
	q := l.refs[i].Q
	expect, check, clash := r.expectedVersion(l, q, v)
	if clash {
		return e.clashOnAnswer(r, l, i, v, files), nil
	}
	before := r.State.clone()
	held := 0
	if r.State.HeldFor == q.Code && len(r.State.Held) > 0 {
		held = len(r.State.Held)
		files = append(append([]EvidenceFile(nil), r.State.Held...), files...)
	}
	r.State.Held, r.State.HeldFor = nil, ""
	wantsFiles := q.NeedsEvidence(v) || q.Type == scoring.File // a negative answer needs no proof
	// A negative answer to a sent-back question does not take the files the coordinator
	// sent back (nothing to ask: it needs none), and the person hears it.
	dropOld := !wantsFiles && oldFilesOf(l, q.Code) > 0
	next := -1
	if wantsFiles {
		r.State.Mode = ModeEvidence
		r.State.AnswerID = 0
		r.State.Files = len(files)
		r.State.OldFiles = oldFilesOf(l, q.Code) // the files the coordinator saw: ask about them
		r.State.Answered = &v
	} else {
		// Count the question as answered before choosing the next one.
		l.progress.Answers[q.Code] = AnswerInfo{}
		next = l.nextOpen(i)
		e.moveTo(r, l, next)
	}
	r.State.Clash = nil
	cp := *r.State
	info, err := e.d.Answers.SaveAnswer(ctx, AnswerWrite{
		Msg: r.Delivery(), RegionCode: r.Person.RegionCode, Year: r.State.Year, QuestionCode: q.Code,
		Value: v, PersonID: r.Person.ID, CarryEvidence: true, KeepRecent: dropOld, Evidence: files, Checkpoint: &cp,
		CheckVersion: check, ExpectVersion: expect,
	})
	if errors.Is(err, ErrConflict) { // a colleague saved one between the read and the write
		*r.State = before
		l.refresh()
		if l, err = e.progressOf(ctx, r); err != nil {
			return nil, err
		}
		return e.clashOnAnswer(r, l, i, v, files[held:]), nil
	}
	if err != nil {
		return nil, fmt.Errorf("save answer %s: %w", q.Code, err)
	}
	r.checkpointed = true
	var notices []Outbound
	if l.sentBack(q.Code) {
		l.settle(q.Code)
		if notices, err = e.fixedNotices(ctx, r, l, i); err != nil {
			return nil, err
		}
	}
	if info.PersonName == "" {
		info.PersonName = r.Person.Name
	}
	l.progress.Answers[q.Code] = info
	delete(l.progress.Skipped, q.Code)
	saved := endSentence(r.T(msgSaved, FormatValue(q, v, r.Lang())))
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
		var outs []Outbound
		if len(files) > held {
			outs = e.replies(r, saved+"\n"+e.fileReceipts(r, files[held:]))
		} else {
			outs = e.replies(r, saved)
		}
		return append(append(outs, e.evidencePrompt(r, l, i)), notices...), nil
	}
	return append(e.continueAt(r, l, next, saved), notices...), nil
}

// moveTo sets the state to question next, or to finished when next is -1.
func (e *Engine) moveTo(r *Request, l *questionList, next int) {
	r.State.AnswerID, r.State.Files, r.State.OldFiles, r.State.Stopped = 0, 0, 0, false
	r.State.Clash, r.State.Answered = nil, nil
	if next < 0 {
		r.State.Mode = ModeIdle
		r.State.Question = ""
		return
	}
	r.State.Mode = ModeQuestion
	r.State.Question = l.refs[next].Q.Code
}

// continueAt renders the question the state moved to (or the closing summary), after a
// first line such as "Tersimpan: Ya.".
func (e *Engine) continueAt(r *Request, l *questionList, next int, first string) []Outbound {
	var outs []Outbound
	if first != "" {
		outs = e.replies(r, first)
	}
	if next < 0 {
		return append(outs, e.summary(r, l))
	}
	return append(outs, e.renderQuestion(r, l, next))
}

// advance moves from the current question to the next open one.
func (e *Engine) advance(ctx context.Context, r *Request, first string) ([]Outbound, error) {
	l, err := e.progressOf(ctx, r)
	if err != nil {
		return nil, err
	}
	from := -1
	if i, ok := l.pos[r.State.Question]; ok {
		from = i
	}
	next := l.nextOpen(from)
	e.moveTo(r, l, next)
	return e.continueAt(r, l, next, first), nil
}

// summary closes the OPD's questionnaire: what was answered and what is still missing.
func (e *Engine) summary(r *Request, l *questionList) Outbound {
	c := l.counts()
	var b strings.Builder
	b.WriteString(r.T(msgAllDone, opdName(l)))
	b.WriteString("\n" + r.T(msgCounts, c.answered, len(l.refs), c.evidenced, c.skipped))
	var missing []string
	for i, ref := range l.refs {
		a, ok := l.progress.Answers[ref.Q.Code]
		switch {
		case !ok && l.progress.Skipped[ref.Q.Code]:
			missing = append(missing, fmt.Sprintf("%d. %s — %s", i+1, Shorten(ref.Q.Text, 60), r.T(msgSkippedMark)))
		case ok && ref.Q.NeedsEvidence(a.Value) && a.Evidence == 0:
			missing = append(missing, fmt.Sprintf("%d. %s — %s", i+1, Shorten(ref.Q.Text, 60), r.T(msgNoEvidenceMark)))
		}
	}
	if len(missing) > 0 {
		b.WriteString("\n\n" + r.T(msgStillMissing) + "\n" + strings.Join(capList(missing, 20, r), "\n"))
		b.WriteString("\n" + r.T(msgEditHint))
	} else {
		b.WriteString("\n" + r.T(msgNothingMissing))
	}
	return Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: b.String()}
}

func capList(lines []string, n int, r *Request) []string {
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
