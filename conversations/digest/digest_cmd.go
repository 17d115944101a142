package digest

import (
	"context"
	"errors"
	"github.com/klabot/klabot/conversations"
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
	NudgeOPD(ctx context.Context, region, opdCode string) (nudges []conversations.Outbound, skipped int, err error)
	// SetDeadline sets the region's own deadline (a calendar day).
	SetDeadline(ctx context.Context, region string, day time.Time) error
}

// New returns the coordinators' digest capability on d (bot/schedule.Scheduler):
// ringkasan, opd, ingatkan and tenggat. A nil d turns them off politely.
func New(d Digests) conversations.Capability {
	c := &commands{d: d}
	return conversations.Capability{Name: "digest", Commands: []conversations.Command{
		{Rank: 150, Names: []string{"ringkasan", "digest", "summary"}, Roles: conversations.Reviewing, Run: c.cmdDigest,
			Help: "ringkasan — ringkasan harian sekarang (nilai, OPD, tenggat)", HelpEN: "digest — today's digest now"},
		{Rank: 150, Names: []string{"opd"}, Roles: conversations.Reviewing, Args: true, Run: c.cmdOPDProgress,
			Help: "opd [OPD] — kemajuan setiap OPD (atau satu OPD)", HelpEN: "opd [OPD] — progress of every OPD (or one)"},
		{Rank: 150, Names: []string{"ingatkan", "nudge", "remind"}, Roles: conversations.Reviewing, Args: true, Run: c.cmdNudgeOPD,
			Help: "ingatkan KODE_OPD — kirim pengingat ke satu OPD sekarang", HelpEN: "nudge OPD_CODE — remind one OPD now"},
		{Rank: 150, Names: []string{"tenggat", "deadline"}, Roles: conversations.Reviewing, Args: true, Run: c.cmdDeadline,
			Help: "tenggat DD/MM/YYYY — tetapkan tenggat pengisian", HelpEN: "deadline DD/MM/YYYY — set the deadline"},
	}}
}

type commands struct {
	d Digests
}

func (e *commands) cmdDigest(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if e.d == nil {
		return r.Replies(tr(r.Lang(), dgOff)), nil
	}
	text, chart, err := e.d.DigestNow(ctx, r.Person.RegionCode)
	if err != nil {
		return nil, err
	}
	outs := r.Replies(text)
	if len(chart) > 0 {
		outs = append(outs, conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID,
			Text:       tr(r.Lang(), dgChartCaption, r.Region.Name),
			Attachment: &conversations.Attachment{Name: "ringkasan-" + r.Region.Code + ".png", MIME: "image/png", Photo: true, Data: chart}})
	}
	return outs, nil
}

func (e *commands) cmdOPDProgress(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if e.d == nil {
		return r.Replies(tr(r.Lang(), dgOff)), nil
	}
	text, err := e.d.OPDProgress(ctx, r.Person.RegionCode)
	if err != nil {
		return nil, err
	}
	if args := strings.TrimSpace(r.Args); args != "" { // "opd dinas kesehatan": that OPD's line
		o, ok := conversations.FindOPD(r.OPDs(), args)
		if !ok {
			if strings.Contains(args, "?") || len(strings.Fields(args)) > 3 { // "OPD mana yang belum?"
				return r.Replies(text), nil
			}
			return r.Replies(tr(r.Lang(), dgNudgeUnknown, args, r.Region.Name, opdCodes(r.OPDs()))), nil
		}
		lines := strings.Split(text, "\n")
		keep := []string{lines[0]}
		for _, l := range lines[1:] {
			if strings.Contains(l, "("+o.Code+")") {
				keep = append(keep, l)
			}
		}
		if len(keep) == 1 {
			keep = append(keep, tr(r.Lang(), dgOPDComplete, o.Name))
		}
		return r.Replies(strings.Join(keep, "\n")), nil
	}
	return r.Replies(text), nil
}

// opdCodes lists the region's OPD codes, sorted, for a refusal.
func opdCodes(opds []conversations.OPD) string {
	codes := make([]string, 0, len(opds))
	for _, o := range opds {
		codes = append(codes, o.Code)
	}
	sort.Strings(codes)
	return strings.Join(codes, ", ")
}

func (e *commands) cmdNudgeOPD(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if e.d == nil {
		return r.Replies(tr(r.Lang(), dgOff)), nil
	}
	opds := r.OPDs() // the region's OPDs, cached with the region for this step
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
		return r.Replies(tr(r.Lang(), dgNudgeUsage, example, list)), nil
	}
	found, ok := conversations.FindOPD(opds, want) // a code or a name: "ingatkan dinas kesehatan"
	if !ok {
		return r.Replies(tr(r.Lang(), dgNudgeUnknown, r.Args, r.Region.Name, list)), nil
	}
	opd := &found
	nudges, skipped, err := e.d.NudgeOPD(ctx, r.Person.RegionCode, opd.Code)
	if err != nil && len(nudges) == 0 {
		return nil, err
	}
	if len(nudges) == 0 && skipped == 0 {
		return r.Replies(tr(r.Lang(), dgNudgeNobody, opd.Name)), nil
	}
	text := tr(r.Lang(), dgNudgeSent, len(nudges), opd.Name)
	if skipped > 0 {
		text += "\n" + tr(r.Lang(), dgNudgeSkipped, skipped)
	}
	return append(r.Replies(text), nudges...), nil
}

func (e *commands) cmdDeadline(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if e.d == nil {
		return r.Replies(tr(r.Lang(), dgOff)), nil
	}
	now := r.Now.In(r.Region.Location())
	if strings.TrimSpace(r.Args) == "" {
		if r.Region.Deadline == nil {
			return r.Replies(tr(r.Lang(), dgDeadlineUnset, r.Region.Name)), nil
		}
		return r.Replies(tr(r.Lang(), dgDeadlineShow, r.Region.Name, deadlineID(*r.Region.Deadline, now))), nil
	}
	day, err := parse.ParseDate(r.Args)
	if errors.Is(err, parse.ErrNoSuchDate) {
		return r.Replies(tr(r.Lang(), dgDeadlineNoSuchDate, strings.TrimSpace(r.Args))), nil
	}
	if errors.Is(err, conversations.ErrInvalid) {
		return r.Replies(tr(r.Lang(), dgDeadlineUsage)), nil
	}
	if err != nil {
		return nil, err
	}
	if day, err = CheckDeadline(day, now, r.Region.Location()); errors.Is(err, ErrDeadlinePast) {
		return r.Replies(tr(r.Lang(), dgDeadlinePast, idfmt.DateID(day))), nil
	}
	if err := e.d.SetDeadline(ctx, r.Person.RegionCode, day); err != nil {
		return nil, err
	}
	r.ForgetRegion()
	return r.Replies(tr(r.Lang(), dgDeadlineSet, r.Region.Name, deadlineID(day, now))), nil
}
