package digest

import (
	"errors"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
)

func TestCheckDeadlineIsTheRegionsLocalDay(t *testing.T) {
	wit := time.FixedZone("WIT", 9*3600)
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC) // 2 December 01.00 WIT, 1 December 23.00 WIB
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	if _, err := CheckDeadline(day(1), now, wit); !errors.Is(err, ErrDeadlinePast) || !errors.Is(err, conversations.ErrInvalid) {
		t.Errorf("yesterday in WIT: %v", err)
	}
	if got, err := CheckDeadline(day(2), now, wit); err != nil || !got.Equal(day(2)) {
		t.Errorf("today in WIT: %v %v", got, err)
	}
	if _, err := CheckDeadline(day(1), now, time.FixedZone("WIB", 7*3600)); err != nil {
		t.Errorf("today in WIB: %v", err)
	}
}
