package answering

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/parse"
)

// An answer is applied to the question the person saw (issue 19). Every prompt the
// dialogue renders carries the position it asks about (Outbound.Asks: mode, question,
// answer version); the durable queue records when each one's delivery started. A typed
// answer, a file, lewati, kembali or selesai is compared with the last prompt delivered to
// the chat before the message was sent (Prompts): the same position, it is applied; when
// the dialogue has moved on but its newer prompt had not reached the person yet (lagging
// replies, a replay after a crash or an outage), it is applied to what they saw where
// that is safe — a retyped answer the question already has, files for the evidence they
// were asked for — or the person is asked which question it is for, or told that it was
// not used. Never silently to another question.

// Prompts tells which prompt a chat had been delivered by a moment (bot/outbound.Prompts).
type Prompts interface {
	// PromptBefore returns the Asks of the last prompt to chat the person had seen when
	// they wrote the message dated t with the chat's sequence number seq (Inbound.Seq; 0
	// when the channel has none, and the times decide), and false when there is none on
	// record. current is the position the dialogue is at: when its prompt is being sent
	// right now, the answer waits for that record (outside a transaction only: in one, it
	// holds a pool connection while it waits).
	PromptBefore(ctx context.Context, chat conversations.Address, t time.Time, seq int64, current string) (asks string, ok bool, err error)
}

// position is a prompt's Asks read back.
type position struct {
	mode   conversations.Mode
	code   string
	answer int64 // the answer version files go to (evidence, narrative)
}

// asksOf is the position st is in, as a prompt's Asks: "question 1.2 0", "evidence 1.2
// 345", "narrative 1.2 345", or "idle".
func asksOf(st *conversations.State) string {
	switch st.Mode {
	case conversations.ModeQuestion:
		return fmt.Sprintf("%s %s 0", st.Mode, st.Question)
	case conversations.ModeEvidence, conversations.ModeNarrative:
		return fmt.Sprintf("%s %s %d", st.Mode, st.Question, st.AnswerID)
	}
	return "idle"
}

func parsePosition(s string) position {
	f := strings.Fields(s)
	p := position{mode: conversations.Mode(f[0])}
	if len(f) > 1 {
		p.code = f[1]
	}
	if len(f) > 2 {
		p.answer, _ = strconv.ParseInt(f[2], 10, 64)
	}
	return p
}

// prompt marks out as the prompt of the position r's state is in now.
func (r *step) prompt(out conversations.Outbound) conversations.Outbound {
	out.Asks = asksOf(r.State)
	return out
}

// pendingBind is a typed answer waiting for the person to say which question it is for
// (State.Extra["bind"]).
type pendingBind struct {
	Text string `json:"text"`
	For  string `json:"for"` // the question the person had been shown
	At   string `json:"at"`  // the position when asked (asksOf): a press elsewhere is stale
}

const bindExtra = "bind"

// bind is the engine's Bind hook: it answers a message meant for a position the person
// had not been shown yet, and lets through the others.
func (ans *Dialogue) bind(ctx context.Context, req *conversations.Request) ([]conversations.Outbound, bool, error) {
	r := &step{Request: req}
	var seen string
	var ok bool
	if sh := r.In.Shown; sh != nil && sh.For == asksOf(r.State) { // looked up before the transaction (prepare)
		seen, ok = sh.Asks, sh.Found
	} else if ans.d.Prompts != nil {
		var err error
		if seen, ok, err = ans.shown(ctx, r.In.Address, r.In.At, r.In.Seq, asksOf(r.State), len(r.In.Files) > 0); err != nil {
			return nil, false, err
		}
	}
	if !ok { // nothing delivered on record (the console, the first prompt still on its way)
		if r.Late() {
			outs, err := r.LateReply(ctx)
			return outs, true, err
		}
		return nil, false, nil
	}
	s, cur := parsePosition(seen), parsePosition(asksOf(r.State))
	if fits(s, cur, len(r.In.Files) > 0) {
		return nil, false, nil
	}
	ans.d.Log.Info("message sent for an earlier prompt", "chat", r.In.Address.Key(), "message", r.In.MessageID,
		"sent_by", r.In.At, "seen", seen, "now", asksOf(r.State))
	switch {
	case len(r.In.Files) > 0:
		return ans.bindFiles(ctx, r, s)
	case s.mode == conversations.ModeQuestion && !navigation(r.In.Text):
		return ans.bindAnswer(ctx, r, s, cur)
	}
	return notApplied(ctx, r)
}

// shown returns the Asks of the last prompt delivered to chat by at, and false when
// there is none: cur is the position the dialogue is at, whose prompt may be on its way
// this very moment (the person answering the instant it arrived, before its delivery was
// recorded), which PromptBefore then waits for (not inside a transaction).
func (ans *Dialogue) shown(ctx context.Context, chat conversations.Address, at time.Time, seq int64, cur string, files bool) (string, bool, error) {
	seen, ok, err := ans.d.Prompts.PromptBefore(ctx, chat, at, seq, "")
	if err != nil || !ok || fits(parsePosition(seen), parsePosition(cur), files) {
		return seen, ok, err
	}
	return ans.d.Prompts.PromptBefore(ctx, chat, at, seq, cur)
}

// fits reports whether a message sent while s was shown applies at cur: the same
// position, or files for the same question in whichever of its steps.
func fits(s, cur position, files bool) bool {
	return s.mode == cur.mode && s.code == cur.code || files && s.code == cur.code
}

// notApplied tells the person their message was not used, and repeats what is asked now.
func notApplied(ctx context.Context, r *step) ([]conversations.Outbound, bool, error) {
	outs, err := r.LateReply(ctx)
	return outs, true, err
}

// navigation reports whether text is lewati or kembali (meant for the position shown).
func navigation(text string) bool {
	w, _, _ := conversations.SplitCommand(text)
	switch w {
	case "lewati", "skip", "kembali", "back":
		return true
	}
	return false
}

// bindFiles attaches files sent while the evidence prompt of an earlier question was
// shown to that question's answer, when it is still the version they were asked for;
// otherwise they are not stored and the person is told.
func (ans *Dialogue) bindFiles(ctx context.Context, r *step, s position) ([]conversations.Outbound, bool, error) {
	if (s.mode != conversations.ModeEvidence && s.mode != conversations.ModeNarrative) || s.answer == 0 {
		return notApplied(ctx, r)
	}
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, false, err
	}
	if a, ok := l.progress.Answers[s.code]; !ok || a.ID != s.answer {
		return notApplied(ctx, r) // answered again since: the files' version is gone
	}
	files, notes := ans.intake(ctx, r)
	if len(files) > 0 {
		added, err := ans.d.Answers.AddEvidence(ctx, EvidenceWrite{Msg: r.Delivery(), AnswerID: s.answer,
			PersonID: r.Person.ID, Files: files, ExpectCurrent: true})
		if errors.Is(err, conversations.ErrConflict) {
			return notApplied(ctx, r)
		}
		if err != nil {
			return nil, false, fmt.Errorf("add evidence to answer %d: %w", s.answer, err)
		}
		kept := files[:0:0]
		left := map[string]int{}
		for _, k := range added {
			left[k]++
		}
		for _, f := range files {
			if left[f.BlobKey] > 0 {
				left[f.BlobKey]--
				kept = append(kept, f)
			} else {
				notes = append(notes, r.T(msgAlreadyAttached, f.Name))
			}
		}
		files = kept
	}
	lines := []string{r.T(msgBindFiles, s.code)}
	if len(files) > 0 {
		lines = append(lines, ans.fileReceipts(r, files))
	}
	lines = append(lines, notes...)
	return r.Replies(strings.Join(lines, "\n")), true, nil
}

// bindAnswer handles a typed answer sent while question s.code was shown and the dialogue
// has moved on: the same answer as s.code has now is saved already; another is asked
// about (for s.code, or for the open question when it reads as an answer to it too).
func (ans *Dialogue) bindAnswer(ctx context.Context, r *step, s, cur position) ([]conversations.Outbound, bool, error) {
	l, err := ans.progressOf(ctx, r)
	if err != nil {
		return nil, false, err
	}
	i, ok := l.pos[s.code]
	if !ok {
		return notApplied(ctx, r)
	}
	q := l.refs[i].Q
	a, err := parse.ParseAnswerWith(q, r.In.Text, r.parseOptions())
	if err != nil {
		return notApplied(ctx, r) // no answer to the question shown: nothing to apply
	}
	quoted := quote(r.In.Text)
	if have, ok := l.progress.Answers[s.code]; ok && have.Value == a.Value {
		return r.Replies(r.T(msgBindSame, quoted, s.code)), true, nil
	}
	choices := []string{s.code}
	if cur.mode == conversations.ModeQuestion && cur.code != s.code {
		if j, ok := l.pos[cur.code]; ok {
			if _, err := parse.ParseAnswerWith(l.refs[j].Q, r.In.Text, r.parseOptions()); err == nil {
				choices = append(choices, cur.code)
			}
		}
	}
	raw, err := json.Marshal(pendingBind{Text: r.In.Text, For: s.code, At: asksOf(r.State)})
	if err != nil {
		return nil, false, err
	}
	if r.State.Extra == nil {
		r.State.Extra = map[string]json.RawMessage{}
	}
	r.State.Extra[bindExtra] = raw
	var text string
	if len(choices) == 2 {
		text = r.T(msgBindAsk2, quoted, s.code, cur.code, cur.code)
	} else {
		text = r.T(msgBindAsk1, quoted, s.code, s.code)
	}
	var buttons []conversations.Button
	for _, c := range choices {
		buttons = append(buttons, conversations.Button{Label: r.T(msgBtnFor, c), Data: "n:bind:" + c})
	}
	buttons = append(buttons, conversations.Button{Label: r.T(msgBtnIgnore), Data: "n:bind:-"})
	out := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: text}
	return []conversations.Outbound{conversations.WithOptions(out, r.Lang(), buttons)}, true, nil
}

// pressBind applies the waiting answer to the question the person chose ("-": to none).
func (ans *Dialogue) pressBind(ctx context.Context, r *step, code string) ([]conversations.Outbound, error) {
	raw := r.State.Extra[bindExtra]
	delete(r.State.Extra, bindExtra)
	var p pendingBind
	if raw == nil || json.Unmarshal(raw, &p) != nil || p.At != asksOf(r.State) {
		return ans.staleButton(ctx, r)
	}
	switch {
	case code == "-":
		return r.Replies(r.T(msgBindIgnored)), nil
	case code == r.State.Question && r.State.Mode == conversations.ModeQuestion:
		r.In.Text = p.Text
		return ans.answerText(ctx, r)
	case code == p.For:
		l, err := ans.progressOf(ctx, r)
		if err != nil {
			return nil, err
		}
		if _, ok := l.pos[code]; !ok {
			return ans.staleButton(ctx, r)
		}
		// Back to the question the answer was typed for, and answered there: the dialogue
		// goes on from it (its evidence, or the next open question).
		r.State.Mode, r.State.Question = conversations.ModeQuestion, code
		r.State.AnswerID, r.State.Files, r.State.OldFiles, r.State.Stopped = 0, 0, 0, false
		r.State.Clash, r.State.Answered = nil, nil
		r.In.Text = p.Text
		return ans.answerText(ctx, r)
	}
	return ans.staleButton(ctx, r)
}

// quote shortens a message for quoting it back.
func quote(text string) string {
	q := []rune(strings.TrimSpace(text))
	if len(q) > 40 {
		q = append(q[:39], '…')
	}
	return string(q)
}
