package digest

import (
	"testing"
	"time"
)

func TestDeadlinesAndNames(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 23, 0, 0, 0, time.FixedZone("WIT", 9*3600))
	for _, c := range []struct {
		deadline time.Time
		want     string
	}{
		{time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), "31 Desember 2026 (38 hari lagi)"},
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), "23 November 2026 (hari ini)"},
		{time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), "20 November 2026 (lewat 3 hari)"},
	} {
		if got := deadlineID(c.deadline, now); got != c.want {
			t.Errorf("deadlineID = %q, want %q", got, c.want)
		}
	}
	if got := namesID([]string{"Ani", "Budi", "Citra"}, 2); got != "Ani, Budi, +1 lainnya" {
		t.Errorf("namesID = %q", got)
	}
}
