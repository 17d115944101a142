package scoring

import "strings"

// Tier is one predikat band: a score whose displayed value (one decimal) is at least Min
// and below the next tier's Min gets this tier.
type Tier struct {
	Name string  `json:"name"`
	Min  float64 `json:"min"`
}

// Ranked reports whether the tier is a real predikat (not "Belum berpredikat").
func (t Tier) Ranked() bool { return t.Min > 0 }

// Tiers are tier bands in ascending order of Min; the first one starts at 0.
type Tiers []Tier

// NoTierName is the name of the band below the first predikat.
const NoTierName = "Belum berpredikat"

// DefaultTiers are the predikat bands confirmed by regional sources: below 500 none,
// Pratama 500–600, Madya 601–700, Nindya 701–800, Utama 801–900, KLA 901–1000. Because the
// band is decided on the displayed score, 600.9 is Pratama and 601.0 is Madya.
var DefaultTiers = Tiers{
	{NoTierName, 0},
	{"Pratama", 500},
	{"Madya", 601},
	{"Nindya", 701},
	{"Utama", 801},
	{"KLA", 901},
}

// Of returns the tier of score, decided on its displayed value, the next tier (nil at the
// top) and the points still needed to reach it (computed on displayed values, so
// "600,5 → Madya at 601,0: 0,5 points" adds up for the reader).
func (ts Tiers) Of(score float64) (tier Tier, next *Tier, toNext float64) {
	t := Tenths(score)
	i := ts.index(t)
	if i >= 0 {
		tier = ts[i]
	}
	if i+1 < len(ts) {
		n := ts[i+1]
		next = &n
		toNext = float64(Tenths(n.Min)-t) / 10
	}
	return tier, next, toNext
}

// index is the position of the highest tier whose Min is at most t tenths, or -1.
func (ts Tiers) index(t int64) int {
	i := -1
	for k, tier := range ts {
		if Tenths(tier.Min) <= t {
			i = k
		}
	}
	return i
}

// ByName finds a tier by name, ignoring case ("nindya" finds Nindya).
func (ts Tiers) ByName(name string) (Tier, bool) {
	for _, t := range ts {
		if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
			return t, true
		}
	}
	return Tier{}, false
}
