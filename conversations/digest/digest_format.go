package digest

import (
	"fmt"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations/idfmt"
)

// deadlineID says when the deadline is, seen from the local day now:
// "31 Desember 2026 (38 hari lagi)", "(hari ini)", "(lewat 3 hari)".
func deadlineID(deadline, now time.Time) string {
	d := idfmt.DaysBetween(now, deadline)
	switch {
	case d > 0:
		return fmt.Sprintf("%s (%d hari lagi)", idfmt.DateID(deadline), d)
	case d == 0:
		return idfmt.DateID(deadline) + " (hari ini)"
	}
	return fmt.Sprintf("%s (lewat %d hari)", idfmt.DateID(deadline), -d)
}

// namesID lists up to max names, then "+N lainnya".
func namesID(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(", +%d lainnya", len(names)-max)
}
