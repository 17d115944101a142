package conversations

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Messages that arrive late (issue 19): a replay after a crash or an outage, or a message
// typed while the bot's replies lagged, must not be applied to a question the person had
// not seen. State.Since records when the dialogue last moved; Inbound.At is the latest
// moment the person can have sent the message. A message sent before the dialogue moved
// (by more than Config.StaleGrace) was meant for an earlier position: it is not applied,
// and the person is told, with what is asked now.

// inboundTexts are the texts of late messages and of invite attempts.
var inboundTexts = map[msgKey][2]string{
	msgStaleText: {
		"⏪ Pesan Anda “%s” (pukul %s) dikirim sebelum pertanyaan yang sekarang muncul, jadi tidak dipakai. Kirim lagi bila masih berlaku untuk pertanyaan ini:",
		"⏪ Your message “%s” (at %s) was sent before the current question appeared, so it was not used. Send it again if it still applies to this question:"},
	msgStaleFiles: {
		"⏪ File %s (pukul %s) dikirim sebelum pertanyaan yang sekarang muncul, jadi tidak disimpan. Kirim lagi bila file itu untuk pertanyaan ini:",
		"⏪ The file %s (at %s) was sent before the current question appeared, so it was not stored. Send it again if it belongs to this question:"},
	msgInvitePrivate: {
		"🔒 Kode undangan hanya bisa dipakai di chat pribadi dengan bot, bukan di grup. Kirim kode ini lewat chat pribadi.",
		"🔒 Invite codes only work in a private chat with the bot, not in a group. Send the code in a private chat."},
	msgInviteWait: {
		"⏳ Terlalu banyak kode yang salah. Coba lagi dalam %d menit, atau minta kode baru ke koordinator.",
		"⏳ Too many wrong codes. Try again in %d minutes, or ask your coordinator for a new code."},
}

const (
	msgStaleText     msgKey = "stale_text"
	msgStaleFiles    msgKey = "stale_files"
	msgInvitePrivate msgKey = "invite_private"
	msgInviteWait    msgKey = "invite_wait"
)

// Attempts counts failed attempts per key in fixed windows (storage/redis.Store): the
// invite throttle.
type Attempts interface {
	// Failures returns how many failures key counted in its window and how long the
	// window still runs.
	Failures(ctx context.Context, key string) (int, time.Duration, error)
	// AddFailure counts one failure; the first one opens a window of length window.
	AddFailure(ctx context.Context, key string, window time.Duration) (int, time.Duration, error)
}

// late reports whether in was sent before the dialogue moved to where st is now, and
// means something only there (an answer, a file, lewati, kembali, selesai), so that
// applying it now would file it under a question the person had not seen.
func (e *Engine) late(in Inbound, st *State) bool {
	if in.Button != "" || in.At.IsZero() || st.Since.IsZero() {
		return false // a button carries its own question code
	}
	switch st.Mode {
	case ModeQuestion, ModeEvidence, ModeNarrative:
	default:
		return false
	}
	if !in.At.Before(st.Since.Add(-e.cfg.StaleGrace)) {
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
	more, err := e.reprompt(ctx, r)
	if err != nil {
		return outs, fmt.Errorf("late message: %w", err)
	}
	return append(outs, more...), nil
}

// inviteKeys are the throttle keys of an invite attempt: the chat and the sender.
func inviteKeys(in Inbound) []string {
	return []string{"invite:chat:" + in.Address.Key(), "invite:sender:" + string(in.Channel) + ":" + in.SenderID}
}

// inviteThrottled reports how long the chat or the sender must wait before trying a code
// again (0: go ahead). Without a throttle store, or when it fails, nobody waits.
func (e *Engine) inviteThrottled(ctx context.Context, in Inbound) time.Duration {
	if e.d.Attempts == nil {
		return 0
	}
	var wait time.Duration
	for _, k := range inviteKeys(in) {
		n, left, err := e.d.Attempts.Failures(ctx, k)
		if err != nil {
			e.d.Log.Warn("invite throttle unavailable", "err", err)
			return 0
		}
		if n >= e.cfg.InviteFailures {
			wait = max(wait, left)
		}
	}
	return wait
}

// inviteFailed counts a wrong code for the chat and the sender.
func (e *Engine) inviteFailed(ctx context.Context, in Inbound) {
	if e.d.Attempts == nil {
		return
	}
	for _, k := range inviteKeys(in) {
		if _, _, err := e.d.Attempts.AddFailure(ctx, k, e.cfg.InviteWindow); err != nil {
			e.d.Log.Warn("count a wrong invite code", "err", err)
		}
	}
}

// inviteResult reports an invite attempt's result to Deps.OnInvite (metrics).
func (e *Engine) inviteResult(result string) {
	if e.d.OnInvite != nil {
		e.d.OnInvite(result)
	}
}
