package scoring

import "testing"

func TestTierBandEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		score   float64
		display string
		tier    string
		next    string
		toNext  float64
	}{
		{0, "0,0", NoTierName, "Pratama", 500},
		{499.9, "499,9", NoTierName, "Pratama", 0.1},
		{499.94, "499,9", NoTierName, "Pratama", 0.1},
		{499.95, "500,0", "Pratama", "Madya", 101},
		{500.0, "500,0", "Pratama", "Madya", 101},
		{600.9, "600,9", "Pratama", "Madya", 0.1},
		{600.9499, "600,9", "Pratama", "Madya", 0.1},
		{600.9499999999999, "601,0", "Madya", "Nindya", 100}, // float noise of 600.95
		{600.96, "601,0", "Madya", "Nindya", 100},
		{601.0, "601,0", "Madya", "Nindya", 100},
		{700.9, "700,9", "Madya", "Nindya", 0.1},
		{701.0, "701,0", "Nindya", "Utama", 100},
		{800.9, "800,9", "Nindya", "Utama", 0.1},
		{801.0, "801,0", "Utama", "KLA", 100},
		{900.96, "901,0", "KLA", "", 0},
		{1000, "1.000,0", "KLA", "", 0},
	}
	for _, tt := range tests {
		if got := FormatPoints(tt.score); got != tt.display {
			t.Errorf("FormatPoints(%v) = %q, want %q", tt.score, got, tt.display)
		}
		tier, next, toNext := DefaultTiers.Of(tt.score)
		if tier.Name != tt.tier {
			t.Errorf("tier of %v = %q, want %q", tt.score, tier.Name, tt.tier)
		}
		nextName := ""
		if next != nil {
			nextName = next.Name
		}
		if nextName != tt.next || toNext != tt.toNext {
			t.Errorf("next of %v = %q (%v points), want %q (%v)", tt.score, nextName, toNext, tt.next, tt.toNext)
		}
	}
}

func TestTiersAreData(t *testing.T) {
	t.Parallel()
	ts := Tiers{{"Belum", 0}, {"Perunggu", 300}, {"Emas", 750.5}}
	if tier, next, to := ts.Of(750.4); tier.Name != "Perunggu" || next.Name != "Emas" || to != 0.1 {
		t.Errorf("Of(750.4) = %v %v %v", tier, next, to)
	}
	if tier, next, _ := ts.Of(750.5); tier.Name != "Emas" || next != nil {
		t.Errorf("Of(750.5) = %v %v", tier, next)
	}
	if tier, ok := DefaultTiers.ByName(" nindya "); !ok || tier.Min != 701 {
		t.Errorf("ByName(nindya) = %v %v", tier, ok)
	}
	if _, ok := DefaultTiers.ByName("emas"); ok {
		t.Error("ByName(emas) found a tier")
	}
	if DefaultTiers[0].Ranked() || !DefaultTiers[1].Ranked() {
		t.Error("Ranked: only real predikat bands are ranked")
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for x, want := range map[float64]string{0.04: "0,0", 0.05: "0,1", 12.345: "12,3", 1234.56: "1.234,6", 999999.9: "999.999,9"} {
		if got := FormatPoints(x); got != want {
			t.Errorf("FormatPoints(%v) = %q, want %q", x, got, want)
		}
	}
	if got := FormatPercent(0.675); got != "68%" {
		t.Errorf("FormatPercent(0.675) = %q", got)
	}
	if got := Display(600.96); got != 601.0 {
		t.Errorf("Display(600.96) = %v", got)
	}
}
