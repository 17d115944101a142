package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
)

// NudgeKey is the dedupe key of a person's nudge on a local day: never twice a day.
func NudgeKey(personID int64, day time.Time) string {
	return fmt.Sprintf("nudge:p%d:%s", personID, day.Format(time.DateOnly))
}

// EscalationMarkKey names a person's silent streak by its first ignored nudge, so that
// each streak is escalated once (storage computes the same key).
func EscalationMarkKey(personID, firstIgnoredNudgeID int64) string {
	return fmt.Sprintf("escalation:p%d:%d", personID, firstIgnoredNudgeID)
}

// nudges sends the reminders due now in regions inside their working hours, and escalates
// silent people to the coordinators. It returns how many nudges it sent.
func (s *Scheduler) nudges(ctx context.Context, now time.Time, regions []digest.DigestRegion) (int, error) {
	var open []digest.DigestRegion
	for _, r := range regions {
		if r.NudgesOff || !r.Nudges.WorkingHours(now.In(r.Location())) {
			continue
		}
		r.Year = s.year(r, now)
		open = append(open, r)
	}
	if len(open) == 0 {
		return 0, nil
	}
	cands, err := s.store.NudgeCandidates(ctx, open, "")
	if err != nil {
		return 0, err
	}
	// Open questions only for regions where someone may be nudged or escalated now: a
	// tick in which everyone was reminded already costs no scoring.
	var need []digest.DigestRegion
	for _, r := range open {
		local := now.In(r.Location())
		policy := r.Nudges.WithDefaults()
		for _, c := range cands[r.Code] {
			if policy.NudgeDue(local, latest(c.LastAnswer, c.LastNudge), r.Deadline) ||
				(c.Ignored >= policy.EscalateAfter && !c.Escalated && c.FirstIgnoredID != 0) {
				need = append(need, r)
				break
			}
		}
	}
	if err := s.fillOpen(ctx, need, cands); err != nil {
		return 0, err
	}
	// Claim every due nudge of the tick in one statement, then queue the won ones.
	var claims []digest.Notification
	msgs := map[string]conversations.Outbound{}
	var errs []error
	for _, r := range need {
		local := now.In(r.Location())
		day := localDay(now, r.Location())
		policy := r.Nudges.WithDefaults()
		var silent []digest.NudgeCandidate
		for _, c := range cands[r.Code] {
			if c.Open == 0 { // done: never nudged
				continue
			}
			if c.Ignored >= policy.EscalateAfter && !c.Escalated && c.FirstIgnoredID != 0 {
				silent = append(silent, c)
			}
			if !policy.NudgeDue(local, latest(c.LastAnswer, c.LastNudge), r.Deadline) {
				continue
			}
			key := NudgeKey(c.Person.ID, day)
			claims = append(claims, digest.Notification{RegionCode: r.Code, PersonID: c.Person.ID,
				Kind: digest.KindNudge, DedupeKey: key, To: c.To, CreatedAt: now})
			msgs[key] = nudgeMessage(now, r, c)
		}
		if len(silent) > 0 {
			if err := s.escalate(ctx, now, r, silent); err != nil {
				errs = append(errs, err)
			}
		}
	}
	// The claims and their reminders commit together (Config.Tx).
	var qerrs []error
	sent := 0
	err = s.inTx(ctx, func(ctx context.Context) error {
		qerrs, sent = nil, 0
		won, err := s.store.ClaimEach(ctx, claims)
		if err != nil {
			return err
		}
		for _, n := range won {
			out := msgs[n.DedupeKey]
			out.NotificationID = n.ID
			if err := s.enqueue(ctx, out); err != nil {
				if s.cfg.Tx != nil {
					return err // no reminder claimed: the next tick tries again
				}
				qerrs = append(qerrs, err)
				continue
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, errors.Join(append(errs, err)...)
	}
	return sent, errors.Join(append(errs, qerrs...)...)
}

func latest(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return b
	case b == nil || a.After(*b):
		return a
	}
	return b
}

// claimNudge claims key for c and returns the reminder to send; false when the key was
// taken (reminded already).
func (s *Scheduler) claimNudge(ctx context.Context, now time.Time, r digest.DigestRegion, c digest.NudgeCandidate, key string) (conversations.Outbound, bool, error) {
	id, _, err := s.store.ClaimNotifications(ctx, digest.Notification{RegionCode: r.Code, PersonID: c.Person.ID,
		Kind: digest.KindNudge, DedupeKey: key, To: c.To, CreatedAt: now}, nil)
	if err != nil || id == 0 {
		return conversations.Outbound{}, false, err
	}
	out := nudgeMessage(now, r, c)
	out.NotificationID = id
	return out, true, nil
}

// nudgeMessage is c's reminder, not yet claimed.
func nudgeMessage(now time.Time, r digest.DigestRegion, c digest.NudgeCandidate) conversations.Outbound {
	text, buttons := digest.NudgeMessage(digest.Nudge{Region: r.Region, At: now, Person: c.Person,
		Open: c.Open, FirstCode: c.FirstCode, FirstText: c.FirstText})
	return conversations.Outbound{To: c.To, PersonID: c.Person.ID, Text: text, Buttons: buttons,
		Bulk: true, Kind: digest.KindNudge}
}

// escalate tells the region's coordinators about people who ignored EscalateAfter nudges
// in a row, each silent streak once (across processes: the mark rows are claims). The
// marks, the coordinators' records and their messages commit together (Config.Tx).
func (s *Scheduler) escalate(ctx context.Context, now time.Time, r digest.DigestRegion, silent []digest.NudgeCandidate) error {
	var errs []error
	err := s.inTx(ctx, func(ctx context.Context) error {
		var err error
		errs, err = s.escalateTx(ctx, now, r, silent)
		if err == nil && s.cfg.Tx != nil {
			err = errors.Join(errs...) // one failed message rolls the escalation back
			errs = nil
		}
		return err
	})
	return errors.Join(append(errs, err)...)
}

// escalateTx claims and queues an escalation. It returns the failed queueings of single
// coordinators apart from a failure of the whole.
func (s *Scheduler) escalateTx(ctx context.Context, now time.Time, r digest.DigestRegion, silent []digest.NudgeCandidate) ([]error, error) {
	var people []digest.SilentPerson
	var firstMark int64
	for _, c := range silent {
		id, _, err := s.store.ClaimNotifications(ctx, digest.Notification{RegionCode: r.Code, PersonID: c.Person.ID,
			Kind: digest.KindEscalationMark, DedupeKey: EscalationMarkKey(c.Person.ID, c.FirstIgnoredID),
			Status: digest.NotificationSent, CreatedAt: now, SentAt: &now}, nil)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			continue // another process reported this streak
		}
		if firstMark == 0 {
			firstMark = id
		}
		people = append(people, digest.SilentPerson{Name: c.Person.Name, OPDName: c.Person.OPDName,
			Open: c.Open, Ignored: c.Ignored, LastNudged: c.LastIgnoredAt})
	}
	if len(people) == 0 {
		return nil, nil
	}
	coords, err := s.store.RegionCoordinators(ctx, []string{r.Code})
	if err != nil {
		return nil, err
	}
	text := digest.EscalationText(r.Region, now, people)
	var errs []error
	for _, c := range coords[r.Code] {
		id, _, err := s.store.ClaimNotifications(ctx, digest.Notification{RegionCode: r.Code, PersonID: c.Person.ID,
			Kind: digest.KindEscalation, DedupeKey: fmt.Sprintf("escalation:%s:m%d:p%d", r.Code, firstMark, c.Person.ID),
			To: c.To, CreatedAt: now}, nil)
		if err != nil || id == 0 {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, s.enqueue(ctx, conversations.Outbound{To: c.To, PersonID: c.Person.ID, Text: text, Bulk: true,
			Kind: digest.KindEscalation, NotificationID: id}))
	}
	if len(coords[r.Code]) == 0 {
		s.cfg.Log.Warn("escalation has no recipient: no coordinator has a chat", "region", r.Code)
	}
	return errs, nil
}

// NudgeOPD prepares reminders to the focal points of one OPD now (the coordinator's
// `ingatkan OPD`), outside the schedule and working hours but at most one such reminder
// per person per day. It claims them and returns the messages for the caller to send
// (the engine returns them with its reply), and how many people were skipped because
// they are done or were reminded by hand today already.
func (s *Scheduler) NudgeOPD(ctx context.Context, region, opdCode string) ([]conversations.Outbound, int, error) {
	now := s.cfg.Now()
	regions, err := s.store.DigestRegions(ctx)
	if err != nil {
		return nil, 0, err
	}
	for _, r := range regions {
		if r.Code != region {
			continue
		}
		r.Year = s.year(r, now)
		cands, err := s.store.NudgeCandidates(ctx, []digest.DigestRegion{r}, strings.ToUpper(strings.TrimSpace(opdCode)))
		if err != nil {
			return nil, 0, err
		}
		if err := s.fillOpen(ctx, []digest.DigestRegion{r}, cands); err != nil {
			return nil, 0, err
		}
		var outs []conversations.Outbound
		skipped := 0
		for _, c := range cands[r.Code] {
			if c.Open == 0 {
				skipped++
				continue
			}
			out, ok, err := s.claimNudge(ctx, now, r, c, NudgeKey(c.Person.ID, localDay(now, r.Location()))+":manual")
			if err != nil {
				return outs, skipped, err
			}
			if !ok {
				skipped++
				continue
			}
			outs = append(outs, out)
		}
		return outs, skipped, nil
	}
	return nil, 0, fmt.Errorf("region %s: %w", region, conversations.ErrNotFound)
}

// fillOpen sets each candidate's open questions (unanswered or sent back) from the
// region's score report: the OPDs responsible for a question are scoring's, so a nudge
// and the digest's OPD completion always agree.
func (s *Scheduler) fillOpen(ctx context.Context, regions []digest.DigestRegion, cands map[string][]digest.NudgeCandidate) error {
	if len(regions) == 0 {
		return nil
	}
	inputs, err := s.store.DigestScoreInputs(ctx, regions)
	if err != nil {
		return err
	}
	type open struct {
		n          int
		code, text string
	}
	for _, r := range regions {
		in, ok := inputs[r.Code]
		if !ok { // no instrument for the year: nothing to remind of
			continue
		}
		rep := s.report(&in)
		texts := map[string]string{}
		for _, q := range in.Instrument.Questions() {
			texts[q.Code] = q.Text
		}
		byOPD := map[string]*open{}
		for _, res := range rep.Results { // instrument order
			if res.Answered && !res.Review.SentBack() {
				continue
			}
			for _, o := range res.OPDs {
				op := byOPD[o.Code]
				if op == nil {
					op = &open{code: res.Code, text: texts[res.Code]}
					byOPD[o.Code] = op
				}
				op.n++
			}
		}
		list := cands[r.Code]
		for i := range list {
			if op := byOPD[list[i].Person.OPDCode]; op != nil {
				list[i].Open, list[i].FirstCode, list[i].FirstText = op.n, op.code, op.text
			}
		}
	}
	return nil
}
