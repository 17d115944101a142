package answering

import (
	"context"
	"fmt"
	"github.com/klabot/klabot/conversations"
)

// NoticeFixed is the Outbound.Kind of the notice that a sent-back answer was fixed.
const NoticeFixed = "review_fixed"

// fixedNotices tell the region's coordinators, once per fix, on every chat they use,
// that the answer to question i they sent back has a new version waiting for them
// (diubah). Nothing when Deps.Coordinators is not wired.
func (ans *Dialogue) fixedNotices(ctx context.Context, r *step, l *questionList, i int) ([]conversations.Outbound, error) {
	if ans.d.Coordinators == nil {
		return nil, nil
	}
	ids, err := ans.d.Coordinators.CoordinatorIDs(ctx, r.Person.RegionCode)
	if err != nil {
		return nil, fmt.Errorf("coordinators of %s: %w", r.Person.RegionCode, err)
	}
	q := l.refs[i].Q
	var outs []conversations.Outbound
	for _, id := range ids {
		if id == r.Person.ID {
			continue
		}
		lang := "id"
		if p, err := ans.d.Coordinators.Person(ctx, id); err == nil && p.Language != "" {
			lang = p.Language
		}
		text := tr(lang, msgFixedNotice, q.Code, conversations.Shorten(q.Text, 120), opdName(l), r.Person.Name, q.Code)
		msgs, err := r.Notify(ctx, id, text, nil)
		if err != nil {
			return nil, err
		}
		for k := range msgs {
			msgs[k].Kind = NoticeFixed
		}
		outs = append(outs, msgs...)
	}
	return outs, nil
}
