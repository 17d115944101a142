package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/scoring"
)

// maxMissedDays bounds how far back missed digest days are recorded as skipped.
const maxMissedDays = 7

// DigestRunKey is the dedupe key of a region's scheduled digest on a local day.
func DigestRunKey(region string, day time.Time) string {
	return "digest:" + region + ":" + day.Format(time.DateOnly)
}

// due is one region whose digest is due now.
type due struct {
	region digest.DigestRegion
	day    time.Time // local day
	year   int
	missed []time.Time // earlier local days without a digest, to record as skipped
}

// digests sends the digest of every region whose local digest hour has come today and
// whose digest of today was not claimed yet. It returns how many regions it sent.
func (s *Scheduler) digests(ctx context.Context, now time.Time, regions []digest.DigestRegion) (int, error) {
	var cands []due
	var codes []string
	for _, r := range regions {
		loc := r.Location()
		if now.In(loc).Hour() < r.DigestHour {
			continue
		}
		cands = append(cands, due{region: r, day: localDay(now, loc), year: s.year(r, now)})
		codes = append(codes, r.Code)
	}
	if len(cands) == 0 {
		return 0, nil
	}
	runs, err := s.store.DigestRunDays(ctx, codes, now.AddDate(0, 0, -(maxMissedDays+2)))
	if err != nil {
		return 0, err
	}
	var todo []due
	for _, c := range cands {
		days := runs[c.region.Code]
		if days[c.day.Format(time.DateOnly)] {
			continue
		}
		// Days between the latest digest in the window and today were missed (klabot was
		// down): they are recorded as skipped, never sent late.
		var latest time.Time
		for d := 1; d <= maxMissedDays; d++ {
			if day := c.day.AddDate(0, 0, -d); days[day.Format(time.DateOnly)] {
				latest = day
				break
			}
		}
		if !latest.IsZero() {
			for day := latest.AddDate(0, 0, 1); day.Before(c.day); day = day.AddDate(0, 0, 1) {
				c.missed = append(c.missed, day)
			}
		}
		todo = append(todo, c)
	}
	if len(todo) == 0 {
		return 0, nil
	}
	return s.sendDigests(ctx, now, todo)
}

// sendDigests computes, claims and sends the digests of todo. It returns how many
// regions this process sent (won the claim for).
func (s *Scheduler) sendDigests(ctx context.Context, now time.Time, todo []due) (int, error) {
	var mu sync.Mutex
	sent := 0
	err := s.each(ctx, todo, func(_ int, d due, facts digest.DigestFacts, prev *digest.DigestSnapshot, rep *scoring.Report) error {
		ok, err := s.sendDigest(ctx, now, d, facts, prev, rep)
		if ok {
			mu.Lock()
			sent++
			mu.Unlock()
		}
		return err
	})
	return sent, err
}

// sendDigest scores one region, claims its day and sends the digest to its coordinators
// and group chat. It reports whether this process won the claim.
func (s *Scheduler) sendDigest(ctx context.Context, now time.Time, d due, facts digest.DigestFacts, prev *digest.DigestSnapshot, rep *scoring.Report) (bool, error) {
	region := d.region.Region
	region.Year = d.year
	r, err := Render(digest.NewDigest(region, now, rep, facts, prev))
	if err != nil {
		return false, err
	}

	claim := digest.Notification{RegionCode: region.Code, Kind: digest.KindDigestRun,
		DedupeKey: DigestRunKey(region.Code, d.day), Status: digest.NotificationSent, CreatedAt: now, SentAt: &now}
	var items []digest.Notification
	for _, m := range d.missed {
		items = append(items, digest.Notification{RegionCode: region.Code, Kind: digest.KindDigestRun,
			DedupeKey: DigestRunKey(region.Code, m), Status: digest.NotificationSkipped,
			Error: "klabot was not running at the digest hour", CreatedAt: now})
	}
	for _, c := range facts.Coordinators {
		items = append(items, digest.Notification{RegionCode: region.Code, PersonID: c.Person.ID,
			Kind: digest.KindDigest, DedupeKey: fmt.Sprintf("%s:p%d", claim.DedupeKey, c.Person.ID), To: c.To, CreatedAt: now})
	}
	if g := d.region.DigestChat; g != nil {
		items = append(items, digest.Notification{RegionCode: region.Code, Kind: digest.KindDigest,
			DedupeKey: claim.DedupeKey + ":group", To: *g, CreatedAt: now})
	}
	// The claim and the digest's messages commit together (Config.Tx): a crash, or a
	// failed queueing, leaves either both or neither, never a claimed day without its
	// digest.
	var errs []error
	var won int64
	n := 0
	err = s.inTx(ctx, func(ctx context.Context) error {
		errs, n = nil, 0
		var inserted []digest.Notification
		var err error
		won, inserted, err = s.store.ClaimNotifications(ctx, claim, items)
		if err != nil || won == 0 {
			return err
		}
		for _, it := range inserted {
			if it.Kind != digest.KindDigest {
				continue
			}
			if err := s.sendRendered(ctx, r, it.To, it.PersonID, it.ID); err != nil {
				if s.cfg.Tx != nil {
					return err // roll the claim back: the next tick tries again
				}
				errs = append(errs, err)
				continue
			}
			n++
		}
		return nil
	})
	if err != nil || won == 0 {
		return false, err
	}
	for _, m := range d.missed {
		s.cfg.Log.Warn("digest skipped: klabot was not running that day", "region", region.Code, "day", m.Format(time.DateOnly))
	}
	if err := s.store.SaveDigestSnapshot(ctx, region.Code, d.year, d.day, r.Digest.Scores); err != nil {
		s.cfg.Log.Error("digest snapshot", "region", region.Code, "err", err)
	}
	if len(facts.Coordinators) == 0 && d.region.DigestChat == nil {
		s.cfg.Log.Warn("digest has no recipient: no coordinator has a chat", "region", region.Code)
	}
	s.cfg.Log.Info("digest sent", "region", region.Code, "day", d.day.Format(time.DateOnly), "recipients", n)
	return true, errors.Join(errs...)
}

// sendRendered queues the digest text (recorded under notification id) and its chart.
func (s *Scheduler) sendRendered(ctx context.Context, r Rendered, to conversations.Address, person, id int64) error {
	err := s.enqueue(ctx, conversations.Outbound{To: to, PersonID: person, Text: r.Text, Bulk: true,
		Kind: digest.KindDigest, NotificationID: id})
	if err != nil || s.cfg.NoChart {
		return err
	}
	return s.enqueue(ctx, conversations.Outbound{To: to, PersonID: person, Bulk: true, Kind: digest.KindDigest,
		Text: "Grafik nilai per klaster — " + r.Digest.Region.Name, Attachment: DigestAttachment(r)})
}

// Digest computes a region's digest now without claiming or sending anything (the dry
// run and the `ringkasan` command).
func (s *Scheduler) Digest(ctx context.Context, region string) (Rendered, error) {
	rs, err := s.RenderAll(ctx, []string{region})
	if err != nil {
		return Rendered{}, err
	}
	if len(rs) == 0 {
		return Rendered{}, fmt.Errorf("region %s: %w", region, conversations.ErrNotFound)
	}
	return rs[0], nil
}

// RenderAll computes the digests of the regions (all when codes is nil) now, without
// claiming or sending: the non-score facts and snapshots in a few batched queries, the
// scores with Config.Workers in parallel. Unknown codes are left out.
func (s *Scheduler) RenderAll(ctx context.Context, codes []string) ([]Rendered, error) {
	now := s.cfg.Now()
	regions, err := s.store.DigestRegions(ctx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	var todo []due
	for _, r := range regions {
		if codes == nil || want[r.Code] {
			todo = append(todo, due{region: r, day: localDay(now, r.Location()), year: s.year(r, now)})
		}
	}
	out := make([]Rendered, len(todo))
	err = s.each(ctx, todo, func(i int, d due, facts digest.DigestFacts, prev *digest.DigestSnapshot, rep *scoring.Report) error {
		region := d.region.Region
		region.Year = d.year
		var err error
		out[i], err = Render(digest.NewDigest(region, now, rep, facts, prev))
		return err
	})
	return out, err
}

// each loads the score inputs, facts and previous snapshots of todo in batched queries,
// then scores and calls fn for every region with Config.Workers in parallel, collecting
// the errors (one region's failure never stops the others).
func (s *Scheduler) each(ctx context.Context, todo []due, fn func(i int, d due, facts digest.DigestFacts, prev *digest.DigestSnapshot, rep *scoring.Report) error) error {
	if len(todo) == 0 {
		return nil
	}
	rs := make([]digest.DigestRegion, len(todo))
	days := map[string]time.Time{}
	years := map[string]int{}
	for i, d := range todo {
		rs[i] = d.region
		rs[i].Year = d.year
		days[d.region.Code], years[d.region.Code] = d.day, d.year
	}
	t0 := time.Now()
	facts, err := s.store.DigestFacts(ctx, rs)
	if err != nil {
		return err
	}
	t1 := time.Now()
	prev, err := s.store.PreviousSnapshots(ctx, days, years)
	if err != nil {
		return err
	}
	s.cfg.Log.Debug("digest batch facts loaded", "regions", len(todo), "facts", t1.Sub(t0), "snapshots", time.Since(t1))
	defer func(start time.Time) {
		s.cfg.Log.Debug("digest batch done", "regions", len(todo), "took", time.Since(start))
	}(time.Now())

	// The score inputs load in chunks, two at a time, and each chunk is scored and
	// rendered as soon as it arrives: the database and the CPU work side by side.
	var (
		mu    sync.Mutex
		errs  []error
		wg    sync.WaitGroup
		loads = make(chan struct{}, 2)
		sem   = make(chan struct{}, s.cfg.Workers)
	)
	fail := func(region string, err error) {
		s.cfg.Log.Error("digest", "region", region, "err", err)
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for from := 0; from < len(todo); from += inputChunk {
		to := min(from+inputChunk, len(todo))
		wg.Add(1)
		go func() {
			defer wg.Done()
			loads <- struct{}{}
			inputs, err := s.store.DigestScoreInputs(ctx, rs[from:to])
			<-loads
			if err != nil {
				fail(fmt.Sprintf("%s..%s", rs[from].Code, rs[to-1].Code), err)
				return
			}
			for i := from; i < to; i++ {
				d := todo[i]
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					var p *digest.DigestSnapshot
					if snap, ok := prev[d.region.Code]; ok {
						p = &snap
					}
					in, ok := inputs[d.region.Code]
					if !ok {
						fail(d.region.Code, fmt.Errorf("digest %s: no instrument for %d: %w", d.region.Code, d.year, conversations.ErrNotFound))
						return
					}
					rep := s.report(&in)
					f := facts[d.region.Code]
					digest.AddInputFacts(&f, &in, &rep)
					if err := fn(i, d, f, p, &rep); err != nil {
						fail(d.region.Code, err)
					}
				}()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// inputChunk is how many regions' score inputs one query loads.
const inputChunk = 64

// SendDigestNow sends a region's digest now to its coordinators and group chat, outside
// the daily schedule (which it neither claims nor blocks). It returns the digest and the
// number of chats it was queued to.
func (s *Scheduler) SendDigestNow(ctx context.Context, region string) (Rendered, int, error) {
	r, err := s.Digest(ctx, region)
	if err != nil {
		return r, 0, err
	}
	now := s.cfg.Now()
	facts, err := s.store.DigestFacts(ctx, []digest.DigestRegion{{Region: r.Digest.Region}})
	if err != nil {
		return r, 0, err
	}
	key := fmt.Sprintf("digest:%s:manual:%d", region, now.UnixNano())
	var items []digest.Notification
	for _, c := range facts[region].Coordinators {
		items = append(items, digest.Notification{RegionCode: region, PersonID: c.Person.ID,
			Kind: digest.KindDigest, DedupeKey: fmt.Sprintf("%s:p%d", key, c.Person.ID), To: c.To, CreatedAt: now})
	}
	regions, err := s.store.DigestRegions(ctx)
	if err != nil {
		return r, 0, err
	}
	for _, g := range regions {
		if g.Code == region && g.DigestChat != nil {
			items = append(items, digest.Notification{RegionCode: region, Kind: digest.KindDigest,
				DedupeKey: key + ":group", To: *g.DigestChat, CreatedAt: now})
		}
	}
	claim := digest.Notification{RegionCode: region, Kind: "digest_manual", DedupeKey: key,
		Status: digest.NotificationSent, CreatedAt: now, SentAt: &now}
	var errs []error
	n := 0
	err = s.inTx(ctx, func(ctx context.Context) error {
		errs, n = nil, 0
		_, inserted, err := s.store.ClaimNotifications(ctx, claim, items)
		if err != nil {
			return err
		}
		for _, it := range inserted {
			if err := s.sendRendered(ctx, r, it.To, it.PersonID, it.ID); err != nil {
				if s.cfg.Tx != nil {
					return err // nothing recorded, nothing queued
				}
				errs = append(errs, err)
				continue
			}
			n++
		}
		return nil
	})
	if err != nil {
		return r, 0, err
	}
	return r, n, errors.Join(errs...)
}
