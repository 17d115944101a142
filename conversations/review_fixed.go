package conversations

import (
	"context"
	"fmt"
)

// Coordinators lists the coordinators of a region (storage/postgres). The engine tells
// them when an OPD fixes an answer they sent back.
type Coordinators interface {
	CoordinatorIDs(ctx context.Context, region string) ([]int64, error)
}

// NoticeFixed is the Outbound.Kind of the notice that a sent-back answer was fixed.
const NoticeFixed = "review_fixed"

// fixedNotices tell the region's coordinators, once per fix, on every chat they use,
// that the answer to question i they sent back has a new version waiting for them
// (diubah). Nothing when Deps.Coordinators is not wired.
func (e *Engine) fixedNotices(ctx context.Context, r *Request, l *questionList, i int) ([]Outbound, error) {
	if e.d.Coordinators == nil {
		return nil, nil
	}
	ids, err := e.d.Coordinators.CoordinatorIDs(ctx, r.Person.RegionCode)
	if err != nil {
		return nil, fmt.Errorf("coordinators of %s: %w", r.Person.RegionCode, err)
	}
	q := l.refs[i].Q
	var outs []Outbound
	for _, id := range ids {
		if id == r.Person.ID {
			continue
		}
		lang := "id"
		if p, err := e.d.People.Person(ctx, id); err == nil && p.Language != "" {
			lang = p.Language
		}
		text := tr(lang, msgFixedNotice, q.Code, Shorten(q.Text, 120), opdName(l), r.Person.Name, q.Code)
		msgs, err := e.notify(ctx, id, text, nil)
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
