package conversations

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/klabot/klabot/scoring"
)

// ScoreInput is everything scoring one region for one evaluation year needs, loaded by
// the store in a few queries.
type ScoreInput struct {
	Region            Region
	Year              int
	InstrumentVersion int // bumped by every import that changed the instrument
	Instrument        *scoring.Instrument
	OPDs              []scoring.OPD
	// Answers holds one state per question that has a current answer or was skipped.
	Answers []scoring.AnswerState
}

// ScoreStore loads what scoring a region needs. year 0 means the region's year in progress.
type ScoreStore interface {
	ScoreInput(ctx context.Context, region string, year int) (ScoreInput, error)
}

// RegionScore is a region's scoring report at one moment.
type RegionScore struct {
	Region Region
	Year   int
	At     time.Time // when the data was read
	Report scoring.Report
}

// Scorer scores regions from the store, reusing one scoring.Model per instrument year and
// version so the instrument is indexed once, not per region. Safe for concurrent use.
type Scorer struct {
	Store ScoreStore
	Tiers scoring.Tiers // nil means scoring.DefaultTiers
	Now   func() time.Time

	mu     sync.Mutex
	models map[int]scoreModel // by year
}

type scoreModel struct {
	version int
	model   *scoring.Model
}

// NewScorer returns a Scorer on store with the default tiers.
func NewScorer(store ScoreStore, now func() time.Time) *Scorer {
	if now == nil {
		now = time.Now
	}
	return &Scorer{Store: store, Now: now}
}

// Score scores the region for year (0: the region's year in progress). It wraps
// ErrNotFound when the region or the year's instrument does not exist.
func (s *Scorer) Score(ctx context.Context, region string, year int) (RegionScore, error) {
	in, err := s.Store.ScoreInput(ctx, region, year)
	if err != nil {
		return RegionScore{}, fmt.Errorf("score %s: %w", region, err)
	}
	m := s.model(in)
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return RegionScore{Region: in.Region, Year: in.Year, At: now(), Report: m.Score(in.OPDs, in.Answers)}, nil
}

// Model returns the scoring model of the input's instrument, building it once per version.
func (s *Scorer) model(in ScoreInput) *scoring.Model {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.models[in.Year]; ok && c.version == in.InstrumentVersion && in.InstrumentVersion != 0 {
		return c.model
	}
	m := scoring.NewModel(*in.Instrument, s.Tiers)
	if s.models == nil {
		s.models = map[int]scoreModel{}
	}
	s.models[in.Year] = scoreModel{in.InstrumentVersion, m}
	return m
}
