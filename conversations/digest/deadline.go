package digest

import (
	"errors"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
)

// ErrDeadlinePast refuses a deadline before today in the region's zone; it wraps
// conversations.ErrInvalid.
var ErrDeadlinePast = errors.Join(errors.New("deadline in the past"), conversations.ErrInvalid)

// CheckDeadline is the one rule for a region's deadline, shared by the coordinators'
// tenggat and `klabot region add/set`: the calendar date of day, refused with
// ErrDeadlinePast when it is before today in loc (today itself is fine).
func CheckDeadline(day, now time.Time, loc *time.Location) (time.Time, error) {
	day = idfmt.CivilDate(day)
	if day.Before(idfmt.CivilDate(now.In(loc))) {
		return day, ErrDeadlinePast
	}
	return day, nil
}
