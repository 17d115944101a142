package main

import (
	"math"

	"github.com/klabot/klabot/conversations/idfmt"
)

// The command line writes numbers the Indonesian way, like the chat ("1.250", "0,1 MB",
// "612,5"), with the dialogue's own formatting package.

// formatInt writes n with Indonesian thousands separators: 1.250.
func formatInt(n int) string { return idfmt.Number(float64(n), "id") }

// formatPoints writes a score with one decimal: 612,5 and 1.000,0.
func formatPoints(v float64) string { return idfmt.Points(v) }

// formatMax writes points without decimals when whole (1.000), else with one (92,5).
func formatMax(v float64) string {
	if v == math.Trunc(v) {
		return formatInt(int(v))
	}
	return idfmt.Fixed(v, 1)
}

// formatSize writes a file size: "1,2 MB", "340 KB", "900 B"; a small file never reads
// "0,0 MB".
func formatSize(n int64) string { return idfmt.Size(n, "id") }
