package main

import (
	"math"
	"strconv"
	"strings"

	"github.com/klabot/klabot/scoring"
)

// The command line writes numbers the Indonesian way, like the chat: "1.250", "0,1 MB",
// "612,5". TODO(arch): these delegate to conversations/idfmt once it is on main.

// formatInt writes n with Indonesian thousands separators: 1.250.
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// formatPoints writes a score with one decimal: 612,5 and 1.000,0.
func formatPoints(v float64) string { return scoring.FormatPoints(v) }

// formatMax writes points without decimals when whole (1.000), else with one (92,5).
func formatMax(v float64) string {
	if v == math.Trunc(v) {
		return formatInt(int(v))
	}
	return scoring.FormatPoints(v)
}

// formatSize writes a file size: "1,2 MB", "340 KB", "900 B"; small files never read
// "0,0 MB".
func formatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(strconv.FormatFloat(math.Round(float64(n)/(1<<20)*10)/10, 'f', 1, 64), ".", ",", 1) + " MB"
	case n >= 1<<10:
		return formatInt(int(math.Round(float64(n)/(1<<10)))) + " KB"
	}
	return formatInt(int(n)) + " B"
}
