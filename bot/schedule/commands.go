package schedule

import (
	"context"
	"time"

	"github.com/klabot/klabot/conversations/digest"
)

var _ digest.Digests = (*Scheduler)(nil)

// DigestNow returns a region's digest text and chart as of now (the `ringkasan` command).
func (s *Scheduler) DigestNow(ctx context.Context, region string) (string, []byte, error) {
	r, err := s.Digest(ctx, region)
	if err != nil {
		return "", nil, err
	}
	chart := r.Chart
	if s.cfg.NoChart {
		chart = nil
	}
	return r.Text, chart, nil
}

// OPDProgress returns every OPD's completion, laggards first (the `opd` command).
func (s *Scheduler) OPDProgress(ctx context.Context, region string) (string, error) {
	r, err := s.Digest(ctx, region)
	if err != nil {
		return "", err
	}
	return digest.OPDProgressText(r.Digest), nil
}

// SetDeadline sets the region's deadline (the `tenggat` command).
func (s *Scheduler) SetDeadline(ctx context.Context, region string, day time.Time) error {
	return s.store.SetDeadline(ctx, region, day)
}
