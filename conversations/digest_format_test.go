package conversations

import (
	"testing"
	"time"
)

func TestNumbersInIndonesian(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    float64
		dec  int
		want string
	}{
		{612.4, 1, "612,4"}, {612.44, 1, "612,4"}, {612.45001, 1, "612,5"}, {0, 1, "0,0"},
		{1000, 1, "1.000,0"}, {1234.5, 1, "1.234,5"}, {1234567, 0, "1.234.567"},
		{130, 0, "130"}, {-4, 1, "-4,0"}, {-0.01, 1, "0,0"}, {999999.96, 1, "1.000.000,0"},
	} {
		if got := numberID(c.v, c.dec); got != c.want {
			t.Errorf("numberID(%v, %d) = %q, want %q", c.v, c.dec, got, c.want)
		}
	}
	for _, c := range []struct {
		v    float64
		want string
	}{{12.34, "+12,3"}, {-4, "−4,0"}, {0.04, "±0,0"}, {-0.04, "±0,0"}} {
		if got := deltaID(c.v); got != c.want {
			t.Errorf("deltaID(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := maxID(92.5); got != "92,5" {
		t.Errorf("maxID = %q", got)
	}
	if got := percentID(0.999); got != "99%" {
		t.Errorf("percentID(0.999) = %q: must not round up to 100%% before done", got)
	}
}

func TestDatesAndZones(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // 07.00 WIB, 08.00 WITA, 09.00 WIT
	for _, c := range []struct {
		zone, want string
	}{
		{"Asia/Jakarta", "Senin, 23 November 2026 07.00 WIB"},
		{"Asia/Pontianak", "Senin, 23 November 2026 07.00 WIB"},
		{"Asia/Makassar", "Senin, 23 November 2026 08.00 WITA"},
		{"Asia/Jayapura", "Senin, 23 November 2026 09.00 WIT"},
		{"Europe/Berlin", "Senin, 23 November 2026 01.00 UTC1"},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		l := at.In(loc)
		if got := dayDateID(l) + " " + clockID(l); got != c.want {
			t.Errorf("%s: %q, want %q", c.zone, got, c.want)
		}
	}
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
