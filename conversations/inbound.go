package conversations

import (
	"context"
	"fmt"
	"strings"
)

// Messages that arrive late (issue 19): a replay after a crash or an outage, or a message
// typed while the bot's replies lagged, must not be applied to a question the person had
// not seen. State.Since records when the dialogue last moved; Inbound.At is the latest
// moment the person can have sent the message. A message sent before the dialogue moved
// (by more than Config.StaleGrace) was meant for an earlier position: it is not applied,
// and the person is told, with what is asked now.

// inboundTexts are the texts of late messages.
var inboundTexts = map[msgKey][2]string{
	msgStaleText: {
		"⏪ Pesan Anda “%s” (pukul %s) dikirim sebelum pertanyaan yang sekarang muncul, jadi tidak dipakai. Kirim lagi bila masih berlaku untuk pertanyaan ini:",
		"⏪ Your message “%s” (at %s) was sent before the current question appeared, so it was not used. Send it again if it still applies to this question:"},
	msgStaleFiles: {
		"⏪ File %s (pukul %s) dikirim sebelum pertanyaan yang sekarang muncul, jadi tidak disimpan. Kirim lagi bila file itu untuk pertanyaan ini:",
		"⏪ The file %s (at %s) was sent before the current question appeared, so it was not stored. Send it again if it belongs to this question:"},
}

const (
	msgStaleText  msgKey = "stale_text"
	msgStaleFiles msgKey = "stale_files"
)

// positional reports whether in means something only at the position st is in (an
// answer, a file, lewati, kembali, selesai): applying it at another position would file
// it under a question the person had not seen. Only the modes a capability took
// (Capability.Modes: question, evidence, narrative) have a position; buttons carry their
// own question code; commands such as status mean the same anywhere.
func (e *Engine) positional(in Inbound, st *State) bool {
	if in.Button != "" || in.At.IsZero() {
		return false
	}
	if _, ok := e.modes[st.Mode]; !ok {
		return false
	}
	if len(in.Files) > 0 {
		return true
	}
	if c, _, ok := e.findCommand(in.Text, false); ok {
		switch c.Names[0] {
		case "lewati", "kembali":
			return true
		}
		return false // status, bantuan, berhenti ... mean the same at any position
	}
	return true
}

// late reports whether a positional message was sent before the dialogue moved to where
// st is now (State.Since, by more than Config.StaleGrace): the engine's own rule when
// nothing says which prompt the person had seen (no Bind hook, or it knows no delivery).
func (e *Engine) late(in Inbound, st *State) bool {
	return !st.Since.IsZero() && in.At.Before(st.Since.Add(-e.cfg.StaleGrace))
}

// Late reports whether the request's message was sent before the dialogue last moved
// (State.Since): a Bind hook's fallback when it knows nothing delivered.
func (r *Request) Late() bool { return r.e.late(r.In, r.State) }

// LateReply tells the person that their message was not used, and repeats what is asked
// now (a Repeat prompt: dropped if the dialogue moves on before it is delivered).
func (r *Request) LateReply(ctx context.Context) ([]Outbound, error) { return r.e.lateReply(ctx, r) }

// lateReply tells the person that their message was not used, and repeats what is asked
// now.
func (e *Engine) lateReply(ctx context.Context, r *Request) ([]Outbound, error) {
	at := r.In.At.In(r.Region.Location()).Format("15.04")
	var text string
	if len(r.In.Files) > 0 {
		names := make([]string, 0, len(r.In.Files))
		for _, f := range r.In.Files {
			names = append(names, f.Name)
		}
		text = r.T(msgStaleFiles, strings.Join(names, ", "), at)
	} else {
		quoted := []rune(strings.TrimSpace(r.In.Text))
		if len(quoted) > 40 {
			quoted = append(quoted[:39], '…')
		}
		text = r.T(msgStaleText, string(quoted), at)
	}
	e.d.Log.Info("late message not applied", "chat", r.In.Address.Key(), "message", r.In.MessageID,
		"sent_by", r.In.At, "moved_at", r.State.Since, "mode", r.State.Mode, "question", r.State.Question)
	outs := e.replies(r, text)
	m := e.modes[r.State.Mode]
	if m.Prompt == nil {
		return outs, nil
	}
	more, err := m.Prompt(ctx, r)
	if err != nil {
		return outs, fmt.Errorf("late message: %w", err)
	}
	for i := range more {
		more[i].Repeat = true
	}
	return append(outs, more...), nil
}
