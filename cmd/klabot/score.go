package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/headline"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
)

// runScore prints a region's three scores, tier, roll-ups and top gaps:
// klabot score --region CODE [--year YYYY] [--json] [--gaps N] [--snapshot].
func runScore(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	region := fs.String("region", "", "region code (required)")
	year := fs.Int("year", 0, "evaluation year (default: the region's year)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	top := fs.Int("gaps", 10, "how many gaps to print in the text output")
	snapshot := fs.Bool("snapshot", false, "also save today's score snapshot")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if strings.TrimSpace(*region) == "" || fs.NArg() > 0 {
		return usageError{"usage: klabot score --region CODE [--year YYYY] [--json] [--gaps N] [--snapshot]"}
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	store := postgres.New(pool, app.Now)
	rs, err := conversations.NewScorer(store, app.Now).Score(ctx, strings.ToUpper(strings.TrimSpace(*region)), *year)
	if errors.Is(err, conversations.ErrNotFound) {
		return fmt.Errorf("%w (is the region created and the year's instrument imported?)", err)
	}
	if err != nil {
		return err
	}
	if *snapshot {
		if _, err := store.SaveScoreSnapshot(ctx, rs); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(scoreJSON(rs))
	}
	writeScoreText(app.Stdout, rs, *top)
	return nil
}

// scoreOutput is the JSON of `klabot score --json`: the headline numbers flat at the top
// (claimed, evidenced, verified, tier, next_tier, points_to_next_tier), the details below.
type scoreOutput struct {
	Region           string           `json:"region"`
	RegionName       string           `json:"region_name"`
	Year             int              `json:"year"`
	At               string           `json:"at"`
	Claimed          float64          `json:"claimed"`
	Evidenced        float64          `json:"evidenced"`
	Verified         float64          `json:"verified"`
	Headline         string           `json:"headline"`
	Tier             string           `json:"tier"`
	NextTier         *string          `json:"next_tier"`
	PointsToNextTier float64          `json:"points_to_next_tier"`
	VerifiedNote     string           `json:"verified_note,omitempty"`
	Scores           map[string]any   `json:"scores"`
	MaxPoints        float64          `json:"max_points"`
	Questions        int              `json:"questions"`
	Answered         int              `json:"answered"`
	Skipped          int              `json:"skipped"`
	Clusters         []scoring.Rollup `json:"clusters"`
	Indicators       []scoring.Rollup `json:"indicators"`
	OPDs             []scoring.Rollup `json:"opds"`
	Gaps             []scoring.Gap    `json:"gaps"`
	Route            []string         `json:"route"` // question codes of the route to next_tier
	RouteReaches     bool             `json:"route_reaches"`
}

func scoreJSON(rs conversations.RegionScore) scoreOutput {
	r := rs.Report
	out := scoreOutput{
		Region: rs.Region.Code, RegionName: rs.Region.Name, Year: rs.Year,
		At:      rs.At.In(rs.Region.Location()).Format("2006-01-02T15:04:05-07:00"),
		Claimed: scoring.Display(r.Claimed.Points), Evidenced: scoring.Display(r.Evidenced.Points), Verified: scoring.Display(r.Verified.Points),
		Headline: r.Headline, Tier: r.Tier.Name, PointsToNextTier: r.PointsToNextTier, VerifiedNote: r.VerifiedNote,
		Scores:    map[string]any{"claimed": r.Claimed, "evidenced": r.Evidenced, "verified": r.Verified},
		MaxPoints: r.MaxPoints, Questions: r.Questions, Answered: r.Answered, Skipped: r.Skipped,
		Clusters: r.Clusters, Indicators: r.Indicators, OPDs: r.OPDs, Gaps: r.Gaps, RouteReaches: r.RouteReaches,
		Route: []string{},
	}
	if r.NextTier != nil {
		out.NextTier = &r.NextTier.Name
	}
	if out.Gaps == nil {
		out.Gaps = []scoring.Gap{}
	}
	for _, g := range r.Route {
		out.Route = append(out.Route, g.QuestionCode)
	}
	return out
}

// writeScoreText prints the report so a person can check it by hand: every number is a
// sum of the lines below it.
func writeScoreText(w io.Writer, rs conversations.RegionScore, top int) {
	r := rs.Report
	p := scoring.FormatPoints
	fmt.Fprintf(w, "%s (%s) — penilaian %d, %s\n\n", rs.Region.Name, rs.Region.Code, rs.Year, headline.DataAsOf(rs.Region, rs.At))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Nilai (maks %s)\t   poin\tpredikat\tberikutnya\t kurang\t\n", p(r.MaxPoints))
	for _, s := range []struct {
		name string
		s    scoring.Score
	}{{"diklaim", r.Claimed}, {"berbukti*", r.Evidenced}, {"terverifikasi", r.Verified}} {
		next, gap := "—", "—"
		if s.s.NextTier != nil {
			next, gap = fmt.Sprintf("%s (%s)", s.s.NextTier.Name, p(s.s.NextTier.Min)), p(s.s.PointsToNextTier)
		}
		fmt.Fprintf(tw, "%s\t%7s\t%s\t%s\t%7s\t\n", s.name, p(s.s.Points), tierLabelCLI(s.s.Tier), next, gap)
	}
	tw.Flush()
	fmt.Fprintf(w, "* predikat dihitung dari nilai berbukti: %s", tierLabelCLI(r.Tier))
	if r.NextTier != nil {
		fmt.Fprintf(w, ", ke %s kurang %s poin", r.NextTier.Name, p(r.PointsToNextTier))
	}
	fmt.Fprintln(w, ".")
	if r.VerifiedNote != "" {
		fmt.Fprintln(w, "  "+r.VerifiedNote)
	}
	fmt.Fprintf(w, "Terjawab %d dari %d pertanyaan, %d dilewati.\n", r.Answered, r.Questions, r.Skipped)

	rollups := func(title string, rs []scoring.Rollup, withCluster bool) {
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "kode\tnama\t   maks\tdiklaim\tberbukti\tterverifikasi\tterjawab\ttanpa bukti\tdikembalikan\t")
		for _, x := range rs {
			code := x.Code
			if withCluster {
				code = x.Cluster + "/" + x.Code
			}
			if code == "" {
				code = "—"
			}
			fmt.Fprintf(tw, "%s\t%s\t%7s\t%7s\t%8s\t%13s\t%-13s\t%11d\t%12d\t\n", code, shortName(x.Name, 40), p(x.Max), p(x.Claimed), p(x.Evidenced),
				p(x.Verified), fmt.Sprintf("%d/%d (%s)", x.Answered, x.Questions, scoring.FormatPercent(x.Completion())), x.EvidenceMissing, x.SentBack)
		}
		tw.Flush()
	}
	rollups("Per klaster", r.Clusters, false)
	rollups("Per indikator", r.Indicators, true)
	rollups("Per OPD (poin pertanyaan milik beberapa OPD dibagi rata)", r.OPDs, false)

	fmt.Fprintf(w, "\nCelah teratas (%d dari %d; celah cepat dulu)", min(top, len(r.Gaps)), len(r.Gaps))
	if r.NextTier != nil && r.RouteReaches {
		fmt.Fprintf(w, " — %d celah pertama cukup untuk %s", len(r.Route), r.NextTier.Name)
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, g := range r.Gaps {
		if i == top {
			break
		}
		fmt.Fprintf(tw, "%3d.\t%s\t%8s\t%s\t%s\t%s\n", i+1, g.QuestionCode, "+"+p(g.Points), conversations.GapReason(g.Kind),
			headline.GapOPDCodes(g), shortName(g.QuestionText, 60))
	}
	tw.Flush()
}

func tierLabelCLI(t scoring.Tier) string {
	if t.Name == "" {
		return scoring.NoTierName
	}
	return t.Name
}

func shortName(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
