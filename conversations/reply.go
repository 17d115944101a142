package conversations

import (
	"context"
	"fmt"
	"strings"
)

// reply is one plain text to the sender of in.
func (e *Engine) reply(in Inbound, text string) Outbound {
	return Outbound{To: in.Address, Text: text}
}

// replies are texts to the person of r, one message each.
func (e *Engine) replies(r *Request, texts ...string) []Outbound {
	outs := make([]Outbound, 0, len(texts))
	for _, t := range texts {
		outs = append(outs, Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: t})
	}
	return outs
}

// WithOptions adds buttons, one per row, and says in the text how to answer by number,
// for channels that show buttons as numbered options ("Balas 1, 2 atau 3.").
func WithOptions(out Outbound, lang string, buttons []Button) Outbound {
	if len(buttons) == 0 {
		return out
	}
	var lines []string
	for i, b := range buttons {
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, b.Label))
		out.Buttons = append(out.Buttons, []Button{b})
	}
	out.Text = strings.TrimRight(out.Text, "\n") + "\n\n" + strings.Join(lines, "\n") + "\n" + tr(lang, msgReplyNumber, NumberList(len(buttons), lang))
	return out
}

// NumberList writes the option numbers 1 to n: "1, 2 atau 3" ("1, 2 or 3").
func NumberList(n int, lang string) string {
	or := " atau "
	if lang == "en" {
		or = " or "
	}
	if n == 1 {
		return "1"
	}
	var parts []string
	for i := 1; i < n; i++ {
		parts = append(parts, fmt.Sprint(i))
	}
	return strings.Join(parts, ", ") + or + fmt.Sprint(n)
}

// notify writes text (and optional buttons) to another person on every chat bound to
// them, for features that tell someone about something (a review outcome to the focal
// point). It returns no messages when the person has no identity.
func (e *Engine) notify(ctx context.Context, personID int64, text string, buttons []Button) ([]Outbound, error) {
	ids, err := e.d.People.Identities(ctx, personID)
	if err != nil {
		return nil, fmt.Errorf("identities of person %d: %w", personID, err)
	}
	lang := "id"
	if p, err := e.d.People.Person(ctx, personID); err == nil && p.Language != "" {
		lang = p.Language
	}
	var outs []Outbound
	for _, id := range ids {
		out := Outbound{To: Address{Channel: id.Channel, ChatID: id.ChatID}, PersonID: personID, Text: text}
		outs = append(outs, WithOptions(out, lang, buttons))
	}
	return outs, nil
}
