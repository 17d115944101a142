package main

import "testing"

func TestIndonesianFormats(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]string{
		formatInt(0): "0", formatInt(999): "999", formatInt(1250): "1.250", formatInt(-1234567): "-1.234.567",
		formatSize(900): "900 B", formatSize(100 * 1024): "100 KB", formatSize(110_000): "107 KB",
		formatSize(1_300_000): "1,2 MB", formatSize(45 << 20): "45 MB",
		formatMax(1000): "1.000", formatMax(92.5): "92,5", formatPoints(612.45): "612,5",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
