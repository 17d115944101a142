package evidencepack

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
)

// Source reads what a pack holds besides file contents (postgres.Store).
type Source interface {
	Region(ctx context.Context, code string) (conversations.Region, error)
	Instrument(ctx context.Context, year int) (*scoring.Instrument, error)
	// RegionAnswers returns the current answer of every answered question, with its
	// evidence and review state.
	RegionAnswers(ctx context.Context, region string, year int) ([]review.Item, error)
}

// Exporter loads a region's answers, scores them and writes the pack.
type Exporter struct {
	Source Source
	Blobs  Blobs
	Tiers  scoring.Tiers    // nil means scoring.DefaultTiers
	Now    func() time.Time // defaults to time.Now
	// Dir is where Export writes packs (the chat command's exports).
	Dir string
	// KeepFor is how long Export keeps earlier packs in Dir before deleting them (they
	// can always be made again). Defaults to 7 days.
	KeepFor time.Duration
}

var _ review.Exporter = (*Exporter)(nil)

func (x *Exporter) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

// Input loads the pack's input for region and year (0: the region's year in progress,
// or the current year in its zone). Points come from the scoring model, so the
// workbook's numbers are the ones `klabot score` prints.
func (x *Exporter) Input(ctx context.Context, region string, year int) (Input, error) {
	reg, err := x.Source.Region(ctx, region)
	if err != nil {
		return Input{}, fmt.Errorf("region %s: %w", region, err)
	}
	if year == 0 {
		year = reg.Year
	}
	if year == 0 {
		year = x.now().In(reg.Location()).Year()
	}
	inst, err := x.Source.Instrument(ctx, year)
	if err != nil {
		return Input{}, fmt.Errorf("instrument %d: %w", year, err)
	}
	items, err := x.Source.RegionAnswers(ctx, reg.Code, year)
	if err != nil {
		return Input{}, err
	}
	in := Input{Region: reg, Instrument: inst, Answers: map[string]review.Item{},
		Points: map[string]Points{}, GeneratedAt: x.now()}
	states := make([]scoring.AnswerState, 0, len(items))
	for _, it := range items {
		in.Answers[it.QuestionCode] = it
		st := scoring.ReviewNone
		if it.State.Recordable() {
			st = scoring.ReviewState(it.State)
		}
		states = append(states, scoring.AnswerState{QuestionCode: it.QuestionCode, Value: it.Value,
			Answered: true, Files: len(it.Evidence), Review: st})
	}
	report := scoring.NewModel(*inst, x.Tiers).Score(nil, states)
	for _, r := range report.Results {
		in.Points[r.Code] = Points{Max: r.Max, Claimed: r.Claimed, Evidenced: r.Evidenced, Verified: r.Verified}
	}
	return in, nil
}

// Write streams the pack of region and year to w.
func (x *Exporter) Write(ctx context.Context, w io.Writer, region string, year int) (Summary, error) {
	in, err := x.Input(ctx, region, year)
	if err != nil {
		return Summary{}, err
	}
	return Write(ctx, w, in, x.Blobs)
}

// WriteWorkbook writes ringkasan.xlsx of region and year to w.
func (x *Exporter) WriteWorkbook(ctx context.Context, w io.Writer, region string, year int) error {
	in, err := x.Input(ctx, region, year)
	if err != nil {
		return err
	}
	return WriteWorkbook(ctx, w, in)
}

// WriteFile writes the pack to path through a temporary file in the same folder, so a
// failed export never leaves a half-written ZIP under the wanted name.
func (x *Exporter) WriteFile(ctx context.Context, path, region string, year int) (Summary, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Summary{}, fmt.Errorf("export folder %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".ekspor-*.zip")
	if err != nil {
		return Summary{}, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	sum, err := x.Write(ctx, tmp, region, year)
	if err != nil {
		tmp.Close()
		return sum, err
	}
	if err := tmp.Close(); err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	return sum, nil
}

// Export writes the pack into Dir as bukti-KLA-<region>-<year>-<local time>.zip.
func (x *Exporter) Export(ctx context.Context, region string, year int) (review.ExportResult, error) {
	var res review.ExportResult
	reg, err := x.Source.Region(ctx, region)
	if err != nil {
		return res, fmt.Errorf("region %s: %w", region, err)
	}
	if year == 0 {
		year = reg.Year
	}
	if year == 0 {
		year = x.now().In(reg.Location()).Year()
	}
	dir := x.Dir
	if dir == "" {
		dir = "."
	}
	res.Name = fmt.Sprintf("bukti-KLA-%s-%d-%s.zip", SafeName(reg.Code, "wilayah", 20), year,
		x.now().In(reg.Location()).Format("20060102-1504"))
	res.Path = filepath.Join(dir, res.Name)
	sum, err := x.WriteFile(ctx, res.Path, reg.Code, year)
	if err != nil {
		return res, err
	}
	st, err := os.Stat(res.Path)
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	res.Size, res.Questions, res.Answered, res.Files, res.Missing = st.Size(), sum.Questions, sum.Answered, sum.Files, len(sum.Missing)
	path := res.Path
	res.Open = func() (io.ReadCloser, error) { return os.Open(path) }
	x.prune(dir)
	return res, nil
}

// prune deletes packs in dir older than KeepFor, so chat exports do not fill the disk.
// Only files named like Export's are touched; failures are ignored (the next export
// tries again).
func (x *Exporter) prune(dir string) {
	keep := x.KeepFor
	if keep <= 0 {
		keep = 7 * 24 * time.Hour
	}
	old, _ := filepath.Glob(filepath.Join(dir, "bukti-KLA-*.zip"))
	for _, p := range old {
		if st, err := os.Stat(p); err == nil && x.now().Sub(st.ModTime()) > keep {
			os.Remove(p)
		}
	}
}

// WritePack streams the pack of region and year to w (the web dashboard's download).
func (x *Exporter) WritePack(ctx context.Context, w io.Writer, region string, year int) error {
	_, err := x.Write(ctx, w, region, year)
	return err
}

// Summarize counts what the pack of region and year would hold, without writing it:
// the `ekspor` answer that links to the web download.
func (x *Exporter) Summarize(ctx context.Context, region string, year int) (review.ExportResult, error) {
	in, err := x.Input(ctx, region, year)
	if err != nil {
		return review.ExportResult{}, err
	}
	res := review.ExportResult{Questions: len(in.Instrument.Questions()), Answered: len(in.Answers)}
	for _, a := range in.Answers {
		res.Files += len(a.Evidence)
		for _, f := range a.Evidence {
			res.Size += f.Size
		}
	}
	return res, nil
}
