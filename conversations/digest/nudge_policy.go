package digest

import (
	"github.com/klabot/klabot/conversations/idfmt"
	"time"
)

// NudgePolicy is a region's reminder schedule. The zero value of a field means its default.
type NudgePolicy struct {
	// EveryWorkingDays is the gap between nudges to one person, counted in working days
	// since their last nudge or answer, whichever is later. Defaults to 2.
	EveryWorkingDays int
	// DailyLastDays makes nudges daily in the last days before the deadline. Defaults to 7.
	DailyLastDays int
	// WorkStart and WorkEnd are the local working hours [start, end). Default 8 and 16.
	WorkStart, WorkEnd int
	// WorkDays are the working weekdays. Defaults to Monday–Friday.
	WorkDays []time.Weekday
	// EscalateAfter is the number of ignored nudges after which the coordinators are told.
	// Defaults to 3.
	EscalateAfter int
}

// WithDefaults returns p with every unset field at its default.
func (p NudgePolicy) WithDefaults() NudgePolicy {
	if p.EveryWorkingDays <= 0 {
		p.EveryWorkingDays = 2
	}
	if p.DailyLastDays <= 0 {
		p.DailyLastDays = 7
	}
	if p.WorkEnd <= 0 || p.WorkEnd > 24 || p.WorkStart >= p.WorkEnd || p.WorkStart < 0 {
		p.WorkStart, p.WorkEnd = 8, 16
	}
	if len(p.WorkDays) == 0 {
		p.WorkDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	if p.EscalateAfter <= 0 {
		p.EscalateAfter = 3
	}
	return p
}

// WorkingDay reports whether the local date of t is a working day.
func (p NudgePolicy) WorkingDay(t time.Time) bool {
	for _, d := range p.WithDefaults().WorkDays {
		if t.Weekday() == d {
			return true
		}
	}
	return false
}

// WorkingHours reports whether local time t is inside working hours on a working day.
func (p NudgePolicy) WorkingHours(t time.Time) bool {
	q := p.WithDefaults()
	return q.WorkingDay(t) && t.Hour() >= q.WorkStart && t.Hour() < q.WorkEnd
}

// NudgeDue reports whether a person may be nudged at local time now: inside working hours,
// and either never contacted, or enough working days after lastContact (their last nudge
// or last answer, whichever is later) — one working day in the last DailyLastDays before
// the deadline. Never twice on one local day.
func (p NudgePolicy) NudgeDue(now time.Time, lastContact *time.Time, deadline *time.Time) bool {
	q := p.WithDefaults()
	if !q.WorkingHours(now) {
		return false
	}
	if lastContact == nil {
		return true
	}
	last := lastContact.In(now.Location())
	if idfmt.DaysBetween(last, now) <= 0 {
		return false
	}
	every := q.EveryWorkingDays
	if deadline != nil {
		if left := idfmt.DaysBetween(now, *deadline); left >= 0 && left <= q.DailyLastDays {
			every = 1
		}
	}
	return q.workingDaysAfter(last, now) >= every
}

// workingDaysAfter counts working days d with date(last) < d <= date(now).
func (p NudgePolicy) workingDaysAfter(last, now time.Time) int {
	n := 0
	d := idfmt.CivilDate(last).AddDate(0, 0, 1)
	end := idfmt.CivilDate(now)
	for i := 0; !d.After(end) && i < 400; i++ {
		if p.WorkingDay(d) {
			n++
		}
		d = d.AddDate(0, 0, 1)
	}
	return n
}
