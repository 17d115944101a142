package conversations

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// What a mode waits for is never kept or dropped unseen (issue 14, the seams between
// features). A mode can wait for one particular reply (ModeRoute.Pending): a review note,
// the choice between a colleague's answer and one's own, the question about a sent-back
// answer's old files, files and the narrative. A command typed meanwhile (or a file) is
// answered as anywhere else; then, in this one place:
//   - when the same thing still waits, the reply ends with the mode's Prompt, so that
//     the person knows what the next text is taken as, and the latest message carries
//     its options again (a typed number picks only from the latest message);
//   - when the step left it (tinjau during a note, kembali during the choice), the reply
//     starts with what was dropped (Pending.Dropped).
// A person who paused (berhenti) is reminded of nothing: lanjut brings it back. A mode
// with a Pause hook gives up what it waited for then, and the drop is said (a
// coordinator's note: what they type on coming back is no note to the OPD).

// pending is what the mode of r waits for now.
func (e *Engine) pending(ctx context.Context, r *Request) (Pending, bool) {
	m, ok := e.modes[r.State.Mode]
	if !ok || m.Pending == nil || r.State.Stopped {
		return Pending{}, false
	}
	return m.Pending(ctx, r)
}

// settlePending ends outs (the replies of a command or files that came while the mode
// waited for before) with the reminder, or starts them with the drop.
func (e *Engine) settlePending(ctx context.Context, r *Request, before Pending, outs []Outbound) ([]Outbound, error) {
	if r.State.Stopped {
		// A pause: a mode that gives up what it waits for then (Pause) says so.
		if m := e.modes[r.State.Mode]; m.Pause != nil && m.Pending != nil {
			if now, waits := m.Pending(ctx, r); waits && now.Key == before.Key {
				m.Pause(r)
				if before.Dropped != "" {
					return append(e.replies(r, before.Dropped), outs...), nil
				}
			}
		}
		return outs, nil
	}
	if now, waits := e.pending(ctx, r); waits && now.Key == before.Key {
		m := e.modes[r.State.Mode]
		if m.Prompt == nil {
			return outs, nil
		}
		more, err := m.Prompt(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("remind %s: %w", before.Key, err)
		}
		if e.asked(r, outs, more) {
			return outs, nil
		}
		return append(outs, more...), nil
	}
	if before.Dropped == "" {
		return outs, nil
	}
	for _, o := range outs {
		if strings.Contains(o.Text, before.Dropped) {
			return outs, nil
		}
	}
	return append(e.replies(r, before.Dropped), outs...), nil
}

// asked reports whether the last reply to the person's chat asks what prompt asks
// already: the same options, or (without options) the same text.
func (e *Engine) asked(r *Request, outs, prompt []Outbound) bool {
	if len(prompt) == 0 {
		return true
	}
	want := prompt[len(prompt)-1]
	for i := len(outs) - 1; i >= 0; i-- {
		o := outs[i]
		if o.To != r.In.Address {
			continue
		}
		if len(want.Buttons) > 0 {
			return slices.EqualFunc(o.Buttons, want.Buttons, slices.Equal[[]Button])
		}
		return strings.Contains(o.Text, want.Text)
	}
	return false
}
