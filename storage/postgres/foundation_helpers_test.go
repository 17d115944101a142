package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// smallInstrument is a valid two-indicator instrument of year.
func smallInstrument(year int) *scoring.Instrument {
	return &scoring.Instrument{Year: year, Name: "Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Perda KLA", MaxPoints: 600, Questions: []scoring.Question{
				{Code: "1.1", Text: "Ada Perda KLA?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: true, OPDCodes: []string{"BAGHUKUM"}},
				{Code: "1.2", Text: "Bentuk kebijakan?", Type: scoring.Choice, Weight: 2, OPDCodes: []string{"BAGHUKUM", "DP3A"},
					Options: []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "SK", Fraction: 0.5}}},
			}},
		}},
		{Code: "I", Name: "Klaster I", Indicators: []scoring.Indicator{
			{Code: "4", Name: "Akta", MaxPoints: 400, Questions: []scoring.Question{
				{Code: "4.1", Text: "Rapat per tahun?", Type: scoring.Number, Weight: 1, OPDCodes: []string{"DISDUKCAPIL"},
					Bands: []scoring.Band{{Min: 0, Max: 0, Fraction: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}},
				{Code: "4.2", Text: "Cakupan akta (%)", Type: scoring.Percent, Target: 100, Weight: 1, OPDCodes: []string{"DISDUKCAPIL"}},
			}},
		}},
	}}
}

// fixedClock is a settable clock for tests.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func newStore(t *testing.T) (*postgres.Store, *fixedClock) {
	t.Helper()
	clock := &fixedClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	return postgres.New(pgtest.New(t), clock.Now), clock
}

// sampleRegion creates region KOTA-UJI with an OPD DP3A and returns its id.
func sampleRegion(t *testing.T, s *postgres.Store) int64 {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-UJI", Name: "Kota Uji", TimeZone: "Asia/Makassar", DigestHour: 7, Year: 2026}); err != nil {
		t.Fatal(err)
	}
	id, err := s.UpsertOPD(ctx, "KOTA-UJI", "DP3AP2KB", "Dinas P3AP2KB", []string{"DP3A", "DPPKB"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
