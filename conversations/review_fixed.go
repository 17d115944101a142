package conversations

import (
	"context"
	"fmt"
)

// Coordinators lists the coordinators of regions who can be written to
// (storage/postgres). The engine tells them when an OPD fixes an answer they sent back.
type Coordinators interface {
	RegionCoordinators(ctx context.Context, regions []string) (map[string][]Recipient, error)
}

// NoticeFixed is the Outbound.Kind of the notice that a sent-back answer was fixed.
const NoticeFixed = "review_fixed"

// fixedNotices tell the region's coordinators, once per fix, that the answer to
// question i they sent back has a new version waiting for them (diubah). Nothing when
// Deps.Coordinators is not wired.
func (e *Engine) fixedNotices(ctx context.Context, r *Request, l *questionList, i int) ([]Outbound, error) {
	if e.d.Coordinators == nil {
		return nil, nil
	}
	byRegion, err := e.d.Coordinators.RegionCoordinators(ctx, []string{r.Person.RegionCode})
	if err != nil {
		return nil, fmt.Errorf("coordinators of %s: %w", r.Person.RegionCode, err)
	}
	q := l.refs[i].Q
	var outs []Outbound
	for _, c := range byRegion[r.Person.RegionCode] {
		if c.Person.ID == r.Person.ID {
			continue
		}
		lang := c.Person.Language
		if lang == "" {
			lang = "id"
		}
		text := tr(lang, rvFixedNotice, q.Code, shorten(q.Text, 120), opdName(l), r.Person.Name, q.Code)
		outs = append(outs, Outbound{To: c.To, PersonID: c.Person.ID, Text: text, Kind: NoticeFixed})
	}
	return outs, nil
}
