package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentdiff"
)

// ImportStats counts what SaveInstrument did to the questions of a year.
type ImportStats struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`   // text, help, type, options, weight, evidence, OPDs or indicator changed
	Unchanged int `json:"unchanged"` // same content (a new position alone does not count as a change)
	Retired   int `json:"retired"`   // in the database but not in the new file; kept with their answers
	Version   int `json:"version"`   // the instrument version after the import
}

// Changed reports whether the import changed any question.
func (s ImportStats) Changed() bool { return s.Added+s.Updated+s.Retired > 0 }

// questionOptions is the jsonb shape of questions.options.
type questionOptions struct {
	Options []scoring.Option `json:"options,omitempty"`
	Bands   []scoring.Band   `json:"bands,omitempty"`
	Target  float64          `json:"target,omitempty"`
	// EvidenceAlways lives here rather than in its own column: it only refines
	// evidence_required.
	EvidenceAlways bool `json:"evidence_always,omitempty"`
}

// storedQuestion is a questions row as SaveInstrument compares it.
type storedQuestion struct {
	q         scoring.Question
	indicator string
	position  int
	retired   bool
}

// sameContent reports whether two questions would be asked and scored the same way.
func sameContent(a, b scoring.Question) bool {
	return a.Text == b.Text && a.Help == b.Help && a.Type == b.Type &&
		slices.Equal(a.Options, b.Options) && slices.Equal(a.Bands, b.Bands) &&
		a.Target == b.Target && a.Weight == b.Weight &&
		a.EvidenceRequired == b.EvidenceRequired && a.EvidenceAlways == b.EvidenceAlways && slices.Equal(a.OPDCodes, b.OPDCodes)
}

// ImportOptions change how ImportInstrument treats a year that has answers.
type ImportOptions struct {
	// Force applies changes that touch current answers (retired answered questions,
	// answered questions whose type, options, evidence rule or points change). Without it
	// such an import is refused with ErrAnswersTouched and nothing is written.
	Force bool
	// DryRun computes everything and writes nothing (the transaction is rolled back).
	DryRun bool
	// From is an earlier year whose answers the new year offers as suggestions: questions
	// whose text, type and options are unchanged (matched by code, else by identical text)
	// are linked to their question of From (see CarriedFrom). 0 links nothing.
	From int
}

// ImportResult is what an import did (or would do) to a year.
type ImportResult struct {
	Stats ImportStats         `json:"stats"`
	Diff  instrumentdiff.Diff `json:"diff"`
	// Relabelled counts the stored answer versions whose option label was renamed.
	Relabelled int `json:"relabelled"`
	// Carried counts the questions linked to a question of ImportOptions.From.
	Carried int `json:"carried,omitempty"`
}

// ErrAnswersTouched refuses an import whose changes would change current answers; it
// wraps conversations.ErrConflict. ImportInstrument returns it with the full result, so
// that the caller can show the diff.
var ErrAnswersTouched = fmt.Errorf("the import changes answers already given: %w", conversations.ErrConflict)

// SaveInstrument writes an evaluation year's instrument in one transaction, refusing
// (ErrAnswersTouched) a change that touches current answers: ImportInstrument with no
// options. Re-importing a year updates changed questions in place and marks questions
// missing from inst as retired: nothing is deleted, so every answer already given
// survives. The version is bumped when anything changed. An empty inst.Name keeps the
// stored name ("Instrumen KLA <year>" for a new year). inst should be validated first
// (inst.Validate()); SaveInstrument refuses an invalid one with conversations.ErrInvalid.
func (s *Store) SaveInstrument(ctx context.Context, inst *scoring.Instrument) (ImportStats, error) {
	r, err := s.ImportInstrument(ctx, inst, ImportOptions{})
	return r.Stats, err
}

// PlanInstrument reports what SaveInstrument would do with inst (the same ImportStats),
// writing nothing: the same transaction, rolled back.
func (s *Store) PlanInstrument(ctx context.Context, inst *scoring.Instrument) (ImportStats, error) {
	r, err := s.ImportInstrument(ctx, inst, ImportOptions{DryRun: true})
	return r.Stats, err
}

// errPlanOnly rolls back the transaction of a dry run.
var errPlanOnly = errors.New("plan only")

// ImportInstrument writes (or with DryRun plans) an instrument year and returns the diff
// against the stored year with the answers each change touches. Options renamed at the
// same position with the same fraction keep their answers: the stored versions get the
// new label, the old one is kept in answer_relabels. A dry run reports the diff of a
// change it would refuse without an error; the caller checks Diff.Touched().
func (s *Store) ImportInstrument(ctx context.Context, inst *scoring.Instrument, opts ImportOptions) (ImportResult, error) {
	return s.saveInstrument(ctx, inst, opts)
}

func (s *Store) saveInstrument(ctx context.Context, inst *scoring.Instrument, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	planOnly := opts.DryRun
	if err := inst.Validate(); err != nil {
		return res, fmt.Errorf("save instrument %d: %w: %v", inst.Year, conversations.ErrInvalid, err)
	}
	if opts.From == inst.Year {
		return res, fmt.Errorf("save instrument %d: %w: --from must be an earlier year", inst.Year, conversations.ErrInvalid)
	}
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		res = ImportResult{}
		st := &res.Stats
		newName := inst.Name
		if newName == "" {
			newName = fmt.Sprintf("Instrumen KLA %d", inst.Year)
		}
		var inserted bool
		if err := tx.QueryRow(ctx, `INSERT INTO instruments (year, name, imported_at) VALUES ($1, $2, $3)
			ON CONFLICT (year) DO NOTHING RETURNING true`, inst.Year, newName, s.now()).Scan(&inserted); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var version int
		var name string
		// The row lock serialises concurrent imports of the same year.
		if err := tx.QueryRow(ctx, `SELECT version, name FROM instruments WHERE year = $1 FOR UPDATE`, inst.Year).Scan(&version, &name); err != nil {
			return err
		}
		if inst.Name == "" { // no name given: keep the one imported before
			newName = name
		}
		changed := name != newName

		// The diff is taken before anything is written: the stored year as it is.
		diff, err := diffYear(ctx, tx, inst, name, !inserted)
		if err != nil {
			return err
		}
		res.Diff = diff
		if diff.Touched() > 0 && !opts.Force && !planOnly {
			return ErrAnswersTouched
		}

		// Clusters and indicators: upsert; count a change when a value moved.
		for ci, c := range inst.Clusters {
			tag, err := tx.Exec(ctx, `INSERT INTO clusters (year, code, name, position) VALUES ($1, $2, $3, $4)
				ON CONFLICT (year, code) DO UPDATE SET name = excluded.name, position = excluded.position
				WHERE (clusters.name, clusters.position) IS DISTINCT FROM (excluded.name, excluded.position)`,
				inst.Year, c.Code, c.Name, ci)
			if err != nil {
				return fmt.Errorf("cluster %s: %w", c.Code, err)
			}
			changed = changed || tag.RowsAffected() > 0
		}
		pos := 0
		for _, c := range inst.Clusters {
			for _, ind := range c.Indicators {
				tag, err := tx.Exec(ctx, `INSERT INTO indicators (year, code, cluster_code, name, max_points, position)
					VALUES ($1, $2, $3, $4, $5, $6)
					ON CONFLICT (year, code) DO UPDATE SET cluster_code = excluded.cluster_code, name = excluded.name,
						max_points = excluded.max_points, position = excluded.position
					WHERE (indicators.cluster_code, indicators.name, indicators.max_points, indicators.position)
						IS DISTINCT FROM (excluded.cluster_code, excluded.name, excluded.max_points, excluded.position)`,
					inst.Year, ind.Code, c.Code, ind.Name, ind.MaxPoints, pos)
				if err != nil {
					return fmt.Errorf("indicator %s: %w", ind.Code, err)
				}
				changed = changed || tag.RowsAffected() > 0
				pos++
			}
		}

		old, err := loadQuestions(ctx, tx, inst.Year, true)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		pos = 0
		for _, c := range inst.Clusters {
			for _, ind := range c.Indicators {
				for _, q := range ind.Questions {
					seen[q.Code] = true
					prev, exists := old[q.Code]
					same := exists && !prev.retired && prev.indicator == ind.Code && sameContent(prev.q, q)
					switch {
					case !exists:
						st.Added++
					case !same:
						st.Updated++
					default:
						st.Unchanged++
					}
					if !same || prev.position != pos {
						// A new position alone is no content change, but Instrument() changes.
						changed = true
						if err := upsertQuestion(ctx, tx, inst.Year, ind.Code, pos, q); err != nil {
							return fmt.Errorf("question %s: %w", q.Code, err)
						}
					}
					pos++
				}
			}
		}
		var retire []string
		for code, prev := range old {
			if !seen[code] && !prev.retired {
				retire = append(retire, code)
			}
		}
		if len(retire) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE questions SET retired = true WHERE year = $1 AND code = ANY($2)`, inst.Year, retire); err != nil {
				return fmt.Errorf("retire questions: %w", err)
			}
			st.Retired = len(retire)
		}
		if res.Relabelled, err = relabel(ctx, tx, inst.Year, version+1, diff, s.now()); err != nil {
			return err
		}
		if opts.From != 0 {
			if res.Carried, err = linkYear(ctx, tx, inst, opts.From); err != nil {
				return err
			}
		}
		if !inserted && (changed || st.Changed()) {
			version++
			if _, err := tx.Exec(ctx, `UPDATE instruments SET version = $2, name = $3, imported_at = $4 WHERE year = $1`,
				inst.Year, version, newName, s.now()); err != nil {
				return err
			}
		}
		st.Version = version
		if planOnly {
			return errPlanOnly
		}
		if !inserted && (changed || st.Changed() || res.Relabelled > 0 || opts.From != 0) {
			// Every focal point's copy of the year's progress is out of date.
			if _, err := tx.Exec(ctx, bumpProgressYearSQL, inst.Year); err != nil {
				return err
			}
		}
		return nil
	})
	if planOnly && errors.Is(err, errPlanOnly) {
		return res, nil
	}
	if errors.Is(err, ErrAnswersTouched) {
		res.Stats = ImportStats{}
		return res, fmt.Errorf("save instrument %d: %w", inst.Year, err)
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("save instrument %d: %w", inst.Year, err)
	}
	s.inst.forget(inst.Year)
	return res, nil
}

func upsertQuestion(ctx context.Context, tx pgx.Tx, year int, indicator string, pos int, q scoring.Question) error {
	opts, err := json.Marshal(questionOptions{Options: q.Options, Bands: q.Bands, Target: q.Target, EvidenceAlways: q.EvidenceAlways})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO questions (year, code, indicator_code, position, text, help, answer_type,
			options, weight, evidence_required, opd_codes, retired)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, false)
		ON CONFLICT (year, code) DO UPDATE SET indicator_code = excluded.indicator_code, position = excluded.position,
			text = excluded.text, help = excluded.help, answer_type = excluded.answer_type, options = excluded.options,
			weight = excluded.weight, evidence_required = excluded.evidence_required, opd_codes = excluded.opd_codes,
			retired = false`,
		year, q.Code, indicator, pos, q.Text, q.Help, string(q.Type), opts, q.Weight, q.EvidenceRequired, q.OPDCodes)
	return err
}

// loadQuestions reads a year's questions by code; retired ones only when withRetired.
func loadQuestions(ctx context.Context, q querier, year int, withRetired bool) (map[string]storedQuestion, error) {
	rows, err := q.Query(ctx, `SELECT code, indicator_code, position, text, help, answer_type, options, weight,
			evidence_required, opd_codes, retired
		FROM questions WHERE year = $1 AND ($2 OR NOT retired)`, year, withRetired)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]storedQuestion{}
	for rows.Next() {
		var sq storedQuestion
		var typ string
		var opts []byte
		if err := rows.Scan(&sq.q.Code, &sq.indicator, &sq.position, &sq.q.Text, &sq.q.Help, &typ, &opts,
			&sq.q.Weight, &sq.q.EvidenceRequired, &sq.q.OPDCodes, &sq.retired); err != nil {
			return nil, err
		}
		sq.q.Type = scoring.AnswerType(typ)
		var o questionOptions
		if err := json.Unmarshal(opts, &o); err != nil {
			return nil, fmt.Errorf("question %s options: %w", sq.q.Code, err)
		}
		sq.q.Options, sq.q.Bands, sq.q.Target, sq.q.EvidenceAlways = o.Options, o.Bands, o.Target, o.EvidenceAlways
		out[sq.q.Code] = sq
	}
	return out, rows.Err()
}

// Instrument returns the instrument of year in instrument order, without retired
// questions (and without indicators or clusters left with none). It wraps
// conversations.ErrNotFound when the year was never imported. The result is cached per
// instrument version, so calling it on every message costs one small query; the caller
// gets its own copy and may modify it.
func (s *Store) Instrument(ctx context.Context, year int) (*scoring.Instrument, error) {
	var name string
	var version int
	err := s.db(ctx).QueryRow(ctx, `SELECT name, version FROM instruments WHERE year = $1`, year).Scan(&name, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("instrument %d: %w", year, conversations.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("instrument %d: %w", year, err)
	}
	if in := s.inst.get(year, version); in != nil {
		return cloneInstrument(in), nil
	}
	in, err := s.loadInstrument(ctx, year, name)
	if err != nil {
		return nil, fmt.Errorf("instrument %d: %w", year, err)
	}
	s.inst.put(year, version, in)
	return cloneInstrument(in), nil
}

// InstrumentVersion returns the version of year's instrument, bumped by every import that
// changed it; callers caching derived data compare it.
func (s *Store) InstrumentVersion(ctx context.Context, year int) (int, error) {
	var version int
	err := s.db(ctx).QueryRow(ctx, `SELECT version FROM instruments WHERE year = $1`, year).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("instrument %d: %w", year, conversations.ErrNotFound)
	}
	return version, err
}

// loadInstrument reads year's instrument in one read-only snapshot, so that an import
// committing meanwhile cannot give a mix of two versions.
func (s *Store) loadInstrument(ctx context.Context, year int, name string) (*scoring.Instrument, error) {
	if tx, ok := TxFrom(ctx); ok {
		// Inside a caller's transaction (InTx): read in it; its isolation is the caller's.
		return loadInstrumentTx(ctx, tx, year, name)
	}
	var in *scoring.Instrument
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		in, err = loadInstrumentTx(ctx, tx, year, name)
		return err
	})
	return in, err
}

func loadInstrumentTx(ctx context.Context, tx pgx.Tx, year int, name string) (*scoring.Instrument, error) {
	in := &scoring.Instrument{Year: year, Name: name}
	rows, err := tx.Query(ctx, `SELECT c.code, c.name, i.code, i.name, i.max_points::float8
		FROM indicators i JOIN clusters c ON c.year = i.year AND c.code = i.cluster_code
		WHERE i.year = $1 AND EXISTS (SELECT 1 FROM questions q WHERE q.year = i.year AND q.indicator_code = i.code AND NOT q.retired)
		ORDER BY c.position, i.position`, year)
	if err != nil {
		return nil, err
	}
	type ref struct{ c, i int }
	where := map[string]ref{}
	for rows.Next() {
		var cc, cn, ic, iname string
		var maxp float64
		if err := rows.Scan(&cc, &cn, &ic, &iname, &maxp); err != nil {
			rows.Close()
			return nil, err
		}
		if n := len(in.Clusters); n == 0 || in.Clusters[n-1].Code != cc {
			in.Clusters = append(in.Clusters, scoring.Cluster{Code: cc, Name: cn})
		}
		c := &in.Clusters[len(in.Clusters)-1]
		c.Indicators = append(c.Indicators, scoring.Indicator{Code: ic, Name: iname, MaxPoints: maxp})
		where[ic] = ref{len(in.Clusters) - 1, len(c.Indicators) - 1}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	qs, err := loadQuestions(ctx, tx, year, false)
	if err != nil {
		return nil, err
	}
	ordered := make([]storedQuestion, 0, len(qs))
	for _, q := range qs {
		ordered = append(ordered, q)
	}
	slices.SortFunc(ordered, func(a, b storedQuestion) int { return a.position - b.position })
	for _, q := range ordered {
		r, ok := where[q.indicator]
		if !ok {
			return nil, fmt.Errorf("question %s names unknown indicator %s", q.q.Code, q.indicator)
		}
		ind := &in.Clusters[r.c].Indicators[r.i]
		ind.Questions = append(ind.Questions, q.q)
	}
	return in, nil
}

// instrumentCache keeps the last loaded instrument per year with its version. The zero
// value is ready to use.
type instrumentCache struct {
	mu     sync.Mutex
	byYear map[int]cachedInstrument
}

type cachedInstrument struct {
	version int
	in      *scoring.Instrument
}

func (c *instrumentCache) get(year, version int) *scoring.Instrument {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byYear[year]; ok && e.version == version {
		return e.in
	}
	return nil
}

func (c *instrumentCache) put(year, version int, in *scoring.Instrument) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byYear == nil {
		c.byYear = map[int]cachedInstrument{}
	}
	c.byYear[year] = cachedInstrument{version, in}
}

func (c *instrumentCache) forget(year int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byYear, year)
}

// cloneInstrument deep-copies in, so callers cannot change the cached one.
func cloneInstrument(in *scoring.Instrument) *scoring.Instrument {
	out := *in
	out.Clusters = slices.Clone(in.Clusters)
	for ci := range out.Clusters {
		c := &out.Clusters[ci]
		c.Indicators = slices.Clone(c.Indicators)
		for ii := range c.Indicators {
			ind := &c.Indicators[ii]
			ind.Questions = slices.Clone(ind.Questions)
			for qi := range ind.Questions {
				q := &ind.Questions[qi]
				q.Options = slices.Clone(q.Options)
				q.Bands = slices.Clone(q.Bands)
				q.OPDCodes = slices.Clone(q.OPDCodes)
			}
		}
	}
	return &out
}
