package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/scoring"
)

// regionData is what every region page loads first: the region and its score.
type regionData struct {
	Region conversations.Region
	Year   int
	Score  conversations.RegionScore
	Loc    *time.Location
}

func (s *Server) loadRegion(ctx context.Context, r *http.Request) (regionData, error) {
	v := viewerFrom(ctx)
	reg, err := s.d.Store.Region(ctx, v.RegionCode)
	if err != nil {
		return regionData{}, err
	}
	d := regionData{Region: reg, Year: s.year(r, reg.Year), Loc: reg.Location()}
	d.Score, err = s.d.Scorer.Score(ctx, reg.Code, d.Year)
	return d, err
}

// scoreView is one of the three scores.
type scoreView struct {
	Label, Points, Note string
	Change              string // since the previous snapshot; "" when none
}

// clusterView is one cluster's bar.
type clusterView struct {
	Code, Name                   string
	Claimed, Evidenced, Verified string
	Max                          string
	ClaimedPct, EvidencedPct     int
	VerifiedPct                  int
}

// gapView is one gap.
type gapView struct {
	Code, Text, Points, Reason, OPDs string
}

type overviewView struct {
	RegionName, Year, AsOf string
	Tier, Headline         string
	NextTier, ToNext       string
	Scores                 []scoreView
	ChangeSince            string
	Clusters               []clusterView
	Deadline, Countdown    string
	Answered, Questions    int
	Waiting                int
	QuickWins              []gapView
	VerifiedNote           string
	Region                 string
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.loadRegion(ctx, r)
	if err != nil {
		s.regionError(w, r, err)
		return
	}
	rep := d.Score.Report
	now := s.now().In(d.Loc)
	v := overviewView{RegionName: d.Region.Name, Year: fmt.Sprint(d.Year), AsOf: dateTime(d.Score.At, d.Loc),
		Tier: rep.Tier.Name, Headline: points(rep.Evidenced.Points), Answered: rep.Answered, Questions: rep.Questions,
		VerifiedNote: rep.VerifiedNote, Region: d.Region.Code}
	if rep.NextTier != nil {
		v.NextTier, v.ToNext = rep.NextTier.Name, points(rep.PointsToNextTier)
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	prevs, err := s.d.Store.PreviousSnapshots(ctx, map[string]time.Time{d.Region.Code: today}, map[string]int{d.Region.Code: d.Year})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	prev, hasPrev := prevs[d.Region.Code]
	if hasPrev {
		v.ChangeSince = date(prev.Day, time.UTC)
	}
	for _, sc := range []struct {
		label string
		pts   float64
		prev  float64
		note  string
	}{
		{"Diklaim", rep.Claimed.Points, prev.Scores.Claimed, "semua jawaban, seperti diisi OPD"},
		{"Berbukti", rep.Evidenced.Points, prev.Scores.Evidenced, "jawaban dengan bukti dukung; predikat dihitung dari nilai ini"},
		{"Terverifikasi", rep.Verified.Points, prev.Scores.Verified, "jawaban berbukti yang diterima koordinator"},
	} {
		sv := scoreView{Label: sc.label, Points: points(sc.pts), Note: sc.note}
		if hasPrev {
			sv.Change = signedPoints(sc.pts - sc.prev)
		}
		v.Scores = append(v.Scores, sv)
	}
	for _, c := range rep.Clusters {
		v.Clusters = append(v.Clusters, clusterView{Code: c.Code, Name: c.Name,
			Claimed: points(c.Claimed), Evidenced: points(c.Evidenced), Verified: points(c.Verified), Max: points(c.Max),
			ClaimedPct: percent(share(c.Claimed, c.Max)), EvidencedPct: percent(share(c.Evidenced, c.Max)),
			VerifiedPct: percent(share(c.Verified, c.Max))})
	}
	if dl := d.Region.Deadline; dl != nil {
		v.Deadline = idfmt.DateID(*dl)
		switch n := civilDays(now, dl.UTC()); {
		case n > 0:
			v.Countdown = fmt.Sprintf("%d hari lagi", n)
		case n == 0:
			v.Countdown = "hari ini"
		default:
			v.Countdown = fmt.Sprintf("lewat %d hari", -n)
		}
	}
	for _, res := range rep.Results {
		if res.Answered && res.Review == scoring.ReviewNone {
			v.Waiting++
		}
	}
	for _, g := range rep.Gaps {
		if !g.Kind.QuickWin() || len(v.QuickWins) == 5 {
			continue
		}
		v.QuickWins = append(v.QuickWins, gapView{Code: g.QuestionCode, Text: shorten(g.QuestionText, 110),
			Points: points(g.Points), Reason: conversations.GapReason(g.Kind), OPDs: opdNames(g.OPDs)})
	}
	s.render(w, r, http.StatusOK, "ringkasan", frame{Title: "Ringkasan " + d.Region.Name, Nav: "ringkasan", Data: v})
}

func share(v, max float64) float64 {
	if max <= 0 {
		return 0
	}
	return v / max
}

// shorten cuts s to n runes with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// regionError maps a load error to a page.
func (s *Server) regionError(w http.ResponseWriter, r *http.Request, err error) {
	if errIs(err, errNotFound) {
		s.page(w, r, http.StatusNotFound, "pesan", msgPage{Title: "Belum ada data",
			Text: "Instrumen tahun ini belum diimpor untuk daerah Anda, atau tahunnya tidak ada."})
		return
	}
	s.fail(w, r, err)
}

// opdView is one OPD's progress.
type opdView struct {
	Code, Name               string
	Answered, Total          int
	Pct                      int
	EvidenceMissing          int
	SentBack                 int
	Registered, Unregistered []string
	LastActivity             string
	Behind                   bool
}

func (s *Server) opdProgress(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.loadRegion(ctx, r)
	if err != nil {
		s.regionError(w, r, err)
		return
	}
	views, err := s.opdViews(ctx, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "opd", frame{Title: "Kemajuan OPD", Nav: "opd",
		Data: map[string]any{"OPDs": views, "Region": d.Region.Code, "RegionName": d.Region.Name, "Year": d.Year}})
}

// opdViews lists the OPDs, the least complete first. Last activity counts only answers
// by the OPD's own people.
func (s *Server) opdViews(ctx context.Context, d regionData) ([]opdView, error) {
	people, err := s.d.Store.People(ctx, d.Region.Code)
	if err != nil {
		return nil, err
	}
	registered, last, err := s.d.Store.WebActivity(ctx, d.Region.Code, d.Year)
	if err != nil {
		return nil, err
	}
	now := s.now().In(d.Loc)
	var out []opdView
	for _, o := range d.Score.Report.OPDs {
		if o.Code == "" {
			continue
		}
		ov := opdView{Code: o.Code, Name: o.Name, Answered: o.Answered, Total: o.Questions,
			Pct: percent(o.Completion()), EvidenceMissing: o.EvidenceMissing, SentBack: o.SentBack}
		var lastAt time.Time
		for _, p := range people {
			if p.OPDCode != o.Code {
				continue
			}
			if registered[p.ID] {
				ov.Registered = append(ov.Registered, p.Name)
			} else {
				ov.Unregistered = append(ov.Unregistered, p.Name)
			}
			if t, ok := last[p.ID]; ok && t.After(lastAt) {
				lastAt = t
			}
		}
		if lastAt.IsZero() {
			ov.LastActivity = "belum pernah menjawab"
		} else {
			ov.LastActivity = dateTime(lastAt, d.Loc) + " (" + since(lastAt, now) + ")"
		}
		ov.Behind = ov.Answered < ov.Total
		out = append(out, ov)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := completion(out[i]), completion(out[j])
		if ci != cj {
			return ci < cj
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

func completion(o opdView) float64 {
	if o.Total == 0 {
		return 1
	}
	return float64(o.Answered) / float64(o.Total)
}
