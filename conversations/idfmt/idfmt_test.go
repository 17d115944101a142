package idfmt_test

import (
	"testing"
	"time"

	"github.com/klabot/klabot/conversations/idfmt"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		got, want string
	}{
		{idfmt.Number(1250, "id"), "1.250"}, {idfmt.Number(87.5, "id"), "87,5"},
		{idfmt.Number(1250.75, "id"), "1.250,75"}, {idfmt.Number(1250.75, "en"), "1,250.75"},
		{idfmt.Number(-1000000, "id"), "-1.000.000"}, {idfmt.Number(0, "id"), "0"},
		{idfmt.Number(1234.5, "id"), "1.234,5"}, {idfmt.Number(1000000, "id"), "1.000.000"},
		{idfmt.Number(87.25, "id"), "87,25"}, {idfmt.Number(12, "id"), "12"}, {idfmt.Number(-1500, "id"), "-1.500"},
		{idfmt.Number(-0.001, "id"), "0"},
		{idfmt.Size(1258291, "id"), "1,2 MB"}, {idfmt.Size(2500, "id"), "2 KB"},
		{idfmt.Size(900, "id"), "900 B"}, {idfmt.Size(20<<20, "id"), "20 MB"},
		{idfmt.Points(0), "0,0"}, {idfmt.Points(612.46), "612,5"}, {idfmt.Points(1000), "1.000,0"}, {idfmt.Points(40.04), "40,0"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

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
		if got := idfmt.Fixed(c.v, c.dec); got != c.want {
			t.Errorf("Fixed(%v, %d) = %q, want %q", c.v, c.dec, got, c.want)
		}
	}
	for _, c := range []struct {
		v    float64
		want string
	}{{12.34, "+12,3"}, {-4, "−4,0"}, {0.04, "±0,0"}, {-0.04, "±0,0"}} {
		if got := idfmt.Delta(c.v); got != c.want {
			t.Errorf("Delta(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := idfmt.Max(92.5); got != "92,5" {
		t.Errorf("Max = %q", got)
	}
	if got := idfmt.Percent(0.999); got != "99%" {
		t.Errorf("Percent(0.999) = %q: must not round up to 100%% before done", got)
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
		if got := idfmt.DayDate(l) + " " + idfmt.Clock(l); got != c.want {
			t.Errorf("%s: %q, want %q", c.zone, got, c.want)
		}
	}
	wita, _ := time.LoadLocation("Asia/Makassar")
	if got := idfmt.DateTime(at, wita); got != "23 November 2026 08.00 WITA" {
		t.Errorf("DateTime = %q", got)
	}
	if got := idfmt.Date(at, "en"); got != "23 November 2026" {
		t.Errorf("Date en = %q", got)
	}
	if got := idfmt.DaysBetween(at, at.AddDate(0, 1, 8)); got != 38 {
		t.Errorf("DaysBetween = %d", got)
	}
}
