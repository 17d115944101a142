package conversations

import (
	"context"
	"errors"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/parse"
	"sort"
	"strings"
	"time"
)

// Digests serves the coordinators' digest commands (bot/schedule.Scheduler): ringkasan,
// opd, ingatkan OPD and tenggat.
type Digests interface {
	// DigestNow returns the region's digest text and chart (PNG) as of now.
	DigestNow(ctx context.Context, region string) (text string, chart []byte, err error)
	// OPDProgress returns the `opd` answer: every OPD's completion, laggards first.
	OPDProgress(ctx context.Context, region string) (string, error)
	// NudgeOPD prepares (and records) reminders to the focal points of one OPD now, for
	// the engine to send with its reply; skipped counts people who are done or were
	// reminded by hand today already.
	NudgeOPD(ctx context.Context, region, opdCode string) (nudges []Outbound, skipped int, err error)
	// SetDeadline sets the region's own deadline (a calendar day).
	SetDeadline(ctx context.Context, region string, day time.Time) error
}

func (e *Engine) digestCommands() []command {
	return []command{
		{names: []string{"ringkasan", "digest", "summary"}, roles: reviewing, run: e.cmdDigest,
			help: "ringkasan — ringkasan harian sekarang (nilai, OPD, tenggat)", helpEN: "digest — today's digest now"},
		{names: []string{"opd"}, roles: reviewing, run: e.cmdOPDProgress,
			help: "opd — kemajuan setiap OPD", helpEN: "opd — progress of every OPD"},
		{names: []string{"ingatkan", "nudge", "remind"}, roles: reviewing, args: true, run: e.cmdNudgeOPD,
			help: "ingatkan KODE_OPD — kirim pengingat ke satu OPD sekarang", helpEN: "nudge OPD_CODE — remind one OPD now"},
		{names: []string{"tenggat", "deadline"}, roles: reviewing, args: true, run: e.cmdDeadline,
			help: "tenggat DD/MM/YYYY — tetapkan tenggat pengisian", helpEN: "deadline DD/MM/YYYY — set the deadline"},
	}
}

func (e *Engine) cmdDigest(ctx context.Context, r *Request) ([]Outbound, error) {
	if e.d.Digests == nil {
		return e.replies(r, tr(r.Lang(), dgOff)), nil
	}
	text, chart, err := e.d.Digests.DigestNow(ctx, r.Person.RegionCode)
	if err != nil {
		return nil, err
	}
	outs := e.replies(r, text)
	if len(chart) > 0 {
		outs = append(outs, Outbound{To: r.In.Address, PersonID: r.Person.ID,
			Text:       tr(r.Lang(), dgChartCaption, r.Region.Name),
			Attachment: &Attachment{Name: "ringkasan-" + r.Region.Code + ".png", MIME: "image/png", Photo: true, Data: chart}})
	}
	return outs, nil
}

func (e *Engine) cmdOPDProgress(ctx context.Context, r *Request) ([]Outbound, error) {
	if e.d.Digests == nil {
		return e.replies(r, tr(r.Lang(), dgOff)), nil
	}
	text, err := e.d.Digests.OPDProgress(ctx, r.Person.RegionCode)
	if err != nil {
		return nil, err
	}
	return e.replies(r, text), nil
}

func (e *Engine) cmdNudgeOPD(ctx context.Context, r *Request) ([]Outbound, error) {
	if e.d.Digests == nil {
		return e.replies(r, tr(r.Lang(), dgOff)), nil
	}
	opds := r.opds // the region's OPDs, cached with the region for this step
	codes := make([]string, 0, len(opds))
	for _, o := range opds {
		codes = append(codes, o.Code)
	}
	sort.Strings(codes)
	list := strings.Join(codes, ", ")
	want := strings.ToUpper(strings.TrimSpace(r.Args))
	if want == "" {
		example := "DINKES"
		if len(codes) > 0 {
			example = codes[0]
		}
		return e.replies(r, tr(r.Lang(), dgNudgeUsage, example, list)), nil
	}
	var opd *OPD
	for i := range opds {
		if opds[i].Code == want {
			opd = &opds[i]
		}
	}
	if opd == nil {
		return e.replies(r, tr(r.Lang(), dgNudgeUnknown, r.Args, r.Region.Name, list)), nil
	}
	nudges, skipped, err := e.d.Digests.NudgeOPD(ctx, r.Person.RegionCode, opd.Code)
	if err != nil && len(nudges) == 0 {
		return nil, err
	}
	if len(nudges) == 0 && skipped == 0 {
		return e.replies(r, tr(r.Lang(), dgNudgeNobody, opd.Name)), nil
	}
	text := tr(r.Lang(), dgNudgeSent, len(nudges), opd.Name)
	if skipped > 0 {
		text += "\n" + tr(r.Lang(), dgNudgeSkipped, skipped)
	}
	return append(e.replies(r, text), nudges...), nil
}

func (e *Engine) cmdDeadline(ctx context.Context, r *Request) ([]Outbound, error) {
	if e.d.Digests == nil {
		return e.replies(r, tr(r.Lang(), dgOff)), nil
	}
	now := r.Now.In(r.Region.Location())
	if strings.TrimSpace(r.Args) == "" {
		if r.Region.Deadline == nil {
			return e.replies(r, tr(r.Lang(), dgDeadlineUnset, r.Region.Name)), nil
		}
		return e.replies(r, tr(r.Lang(), dgDeadlineShow, r.Region.Name, deadlineID(*r.Region.Deadline, now))), nil
	}
	day, err := parse.ParseDate(r.Args)
	if errors.Is(err, parse.ErrNoSuchDate) {
		return e.replies(r, tr(r.Lang(), dgDeadlineNoSuchDate, strings.TrimSpace(r.Args))), nil
	}
	if errors.Is(err, ErrInvalid) {
		return e.replies(r, tr(r.Lang(), dgDeadlineUsage)), nil
	}
	if err != nil {
		return nil, err
	}
	day = idfmt.CivilDate(day)
	if day.Before(idfmt.CivilDate(now)) {
		return e.replies(r, tr(r.Lang(), dgDeadlinePast, idfmt.DateID(day))), nil
	}
	if err := e.d.Digests.SetDeadline(ctx, r.Person.RegionCode, day); err != nil {
		return nil, err
	}
	e.forgetRegion(r.Person.RegionCode)
	return e.replies(r, tr(r.Lang(), dgDeadlineSet, r.Region.Name, deadlineID(day, now))), nil
}

// forgetRegion drops the cached region so a new deadline shows at once.
func (e *Engine) forgetRegion(code string) {
	e.mu.Lock()
	delete(e.regions, code)
	e.mu.Unlock()
}
