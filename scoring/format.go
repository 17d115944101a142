package scoring

import (
	"math"
	"strconv"
	"strings"
)

// Tenths returns x rounded to one decimal, as a whole number of tenths (612.45 -> 6125).
// Float noise below a millionth of a point is removed first, so a sum that is 600.95 on
// paper but 600.9499999 in binary still displays as 601.0: what people would compute by
// hand is what they see. Halves round up.
func Tenths(x float64) int64 { return microTenths(micro(math.Round(x * 1e6))) }

// microTenths rounds micro-points to tenths of a point, halves up.
func microTenths(m micro) int64 {
	t := m + 50_000
	if t < 0 {
		return -((-t + 99_999) / 100_000)
	}
	return t / 100_000
}

// Display returns x rounded to one decimal, the value people see (600.96 -> 601.0).
func Display(x float64) float64 { return float64(Tenths(x)) / 10 }

// FormatPoints writes x with one decimal in Indonesian style: "1.000,0", "612,5", "0,0".
func FormatPoints(x float64) string {
	t := Tenths(x)
	neg := t < 0
	if neg {
		t = -t
	}
	whole := strconv.FormatInt(t/10, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	b.WriteByte(',')
	b.WriteByte(byte('0' + t%10))
	return b.String()
}

// FormatPercent writes a share 0..1 as a whole Indonesian percentage: 0.675 -> "68%".
func FormatPercent(share float64) string {
	return strconv.Itoa(int(math.Round(math.Round(share*1e6)/1e4))) + "%"
}
