package scoring

import (
	"reflect"
	"testing"
)

// workedInstrument is the worked example of docs/scoring.md: numbers a person can check by hand.
func workedInstrument() Instrument {
	return Instrument{Year: 2026, Name: "Contoh", Clusters: []Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []Indicator{
			{Code: "1", Name: "Perda KLA", MaxPoints: 600, Questions: []Question{
				{Code: "1.1", Text: "Bentuk kebijakan KLA?", Type: Choice, Weight: 2, EvidenceRequired: true,
					Options:  []Option{{"Perda", 1}, {"Perbup, SK atau SE", 0.6}, {"Perda dalam proses", 0.3}},
					OPDCodes: []string{"DP3A", "BAGHUKUM"}},
				{Code: "1.2", Text: "Ada SK Gugus Tugas KLA?", Type: YesNo, Weight: 1, EvidenceRequired: true,
					OPDCodes: []string{"DP3A", "BAPPEDA"}},
			}},
		}},
		{Code: "I", Name: "Klaster I", Indicators: []Indicator{
			{Code: "4", Name: "Akta kelahiran", MaxPoints: 400, Questions: []Question{
				{Code: "4.1", Text: "Persentase anak berakta?", Type: Percent, Target: 100, Weight: 1,
					OPDCodes: []string{"DISDUKCAPIL"}},
				{Code: "4.2", Text: "Jumlah layanan jemput bola per tahun?", Type: Number, Weight: 1, EvidenceRequired: true,
					Bands:    []Band{{Min: 0, Max: 0, Fraction: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}},
					OPDCodes: []string{"DINKES"}},
			}},
		}},
	}}
}

func workedOPDs() []OPD {
	return []OPD{
		{Code: "DISDUKCAPIL", Name: "Dinas Kependudukan dan Pencatatan Sipil"},
		{Code: "DP3AP2KB", Name: "DP3AP2KB", AnswersFor: []string{"DP3A", "DPPKB"}},
		{Code: "BAPPEDA", Name: "Bappeda"},
	}
}

func workedAnswers() []AnswerState {
	return []AnswerState{
		{QuestionCode: "1.1", Answered: true, Value: Value{Text: "Perbup, SK atau SE"}, Files: 1, Review: ReviewApproved},
		{QuestionCode: "1.2", Answered: true, Value: Value{Text: "ya"}},
		{QuestionCode: "4.1", Answered: true, Value: Value{Number: 87.5}, Review: ReviewNeedsRevision},
		{QuestionCode: "4.2", Skipped: true},
		{QuestionCode: "9.9", Answered: true, Value: Value{Text: "ya"}}, // not in the instrument: ignored
	}
}

func TestScoreWorkedExample(t *testing.T) {
	t.Parallel()
	m := NewModel(workedInstrument(), nil)
	r := m.Score(workedOPDs(), workedAnswers())

	scores := map[string]float64{"claimed": r.Claimed.Points, "evidenced": r.Evidenced.Points, "verified": r.Verified.Points}
	want := map[string]float64{"claimed": 615, "evidenced": 415, "verified": 240}
	if !reflect.DeepEqual(scores, want) {
		t.Fatalf("scores = %v, want %v", scores, want)
	}
	if r.Claimed.Tier.Name != "Madya" || r.Evidenced.Tier.Name != NoTierName || r.Verified.Tier.Name != NoTierName {
		t.Errorf("tiers = %s / %s / %s", r.Claimed.Tier.Name, r.Evidenced.Tier.Name, r.Verified.Tier.Name)
	}
	if r.Tier.Name != NoTierName || r.NextTier.Name != "Pratama" || r.PointsToNextTier != 85 {
		t.Errorf("headline = %s, next %v, %v points", r.Tier.Name, r.NextTier, r.PointsToNextTier)
	}
	if r.Claimed.NextTier.Name != "Nindya" || r.Claimed.PointsToNextTier != 86 {
		t.Errorf("claimed next = %v %v", r.Claimed.NextTier, r.Claimed.PointsToNextTier)
	}
	if r.VerifiedNote != "" {
		t.Errorf("VerifiedNote = %q with reviews present", r.VerifiedNote)
	}
	if r.Questions != 4 || r.Answered != 3 || r.Skipped != 1 || r.MaxPoints != 1000 {
		t.Errorf("counts = %d questions, %d answered, %d skipped, max %v", r.Questions, r.Answered, r.Skipped, r.MaxPoints)
	}

	type row struct {
		Code                                 string
		Max, Claimed, Evidenced, Verified    float64
		Questions, Answered, EvidenceMissing int
	}
	rows := func(rs []Rollup) []row {
		var out []row
		for _, x := range rs {
			out = append(out, row{x.Code, x.Max, x.Claimed, x.Evidenced, x.Verified, x.Questions, x.Answered, x.EvidenceMissing})
		}
		return out
	}
	if got, want := rows(r.Clusters), []row{
		{"KELEMBAGAAN", 600, 440, 240, 240, 2, 2, 1},
		{"I", 400, 175, 175, 0, 2, 1, 0},
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("clusters\n got %v\nwant %v", got, want)
	}
	if got, want := rows(r.Indicators), []row{
		{"1", 600, 440, 240, 240, 2, 2, 1},
		{"4", 400, 175, 175, 0, 2, 1, 0},
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("indicators\n got %v\nwant %v", got, want)
	}
	// 1.2 is shared by DP3AP2KB and Bappeda, so each carries half of its 200 points;
	// 4.2 belongs to DINKES, which this region does not have.
	if got, want := rows(r.OPDs), []row{
		{"BAPPEDA", 100, 100, 0, 0, 1, 1, 1},
		{"DISDUKCAPIL", 200, 175, 175, 0, 1, 1, 0},
		{"DP3AP2KB", 500, 340, 240, 240, 2, 2, 1},
		{"", 200, 0, 0, 0, 1, 0, 0},
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("opds\n got %v\nwant %v", got, want)
	}

	type gap struct {
		Kind   GapKind
		Code   string
		Points float64
		OPDs   int
	}
	var gaps []gap
	for _, g := range r.Gaps {
		gaps = append(gaps, gap{g.Kind, g.QuestionCode, g.Points, len(g.OPDs)})
	}
	if want := []gap{
		{GapEvidence, "1.2", 200, 2},
		{GapSentBack, "4.1", 25, 1},
		{GapUnanswered, "4.2", 200, 0},
		{GapPartial, "1.1", 160, 1},
	}; !reflect.DeepEqual(gaps, want) {
		t.Errorf("gaps\n got %v\nwant %v", gaps, want)
	}
	if len(r.Route) != 1 || r.Route[0].QuestionCode != "1.2" || !r.RouteReaches {
		t.Errorf("route = %v (reaches %v)", r.Route, r.RouteReaches)
	}
	nindya, _ := DefaultTiers.ByName("Nindya")
	route, ok := r.RouteTo(nindya.Min)
	if !ok || len(route) != 3 || r.PointsTo(nindya.Min) != 286 {
		t.Errorf("route to Nindya: %d gaps, ok %v, %v points", len(route), ok, r.PointsTo(nindya.Min))
	}
	if _, ok := r.RouteTo(1000.1); ok {
		t.Error("route to 1000,1 reaches")
	}
	if gs := r.GapsOf("BAPPEDA"); len(gs) != 1 || gs[0].QuestionCode != "1.2" {
		t.Errorf("GapsOf(BAPPEDA) = %v", gs)
	}
}

func TestScoreNoReviewsSaysWhy(t *testing.T) {
	t.Parallel()
	m := NewModel(workedInstrument(), nil)
	answers := workedAnswers()
	for i := range answers {
		answers[i].Review = ReviewNone
	}
	r := m.Score(workedOPDs(), answers)
	if r.Verified.Points != 0 || r.VerifiedNote != VerifiedNoReviews {
		t.Errorf("verified = %v, note %q", r.Verified.Points, r.VerifiedNote)
	}
}

func TestScoreEmptyRegion(t *testing.T) {
	t.Parallel()
	r := NewModel(workedInstrument(), nil).Score(nil, nil)
	if r.Claimed.Points != 0 || r.Tier.Name != NoTierName || len(r.Gaps) != 4 || !r.RouteReaches || len(r.Route) != 2 {
		t.Errorf("empty region: %v %s %d gaps, reaches %v", r.Claimed.Points, r.Tier.Name, len(r.Gaps), r.RouteReaches)
	}
	if len(r.OPDs) != 1 || r.OPDs[0].Code != "" || r.OPDs[0].Max != 1000 {
		t.Errorf("without OPDs everything is unassigned: %+v", r.OPDs)
	}
}

func TestScoreFullMarksHasNoGapsAndTopTier(t *testing.T) {
	t.Parallel()
	answers := []AnswerState{
		{QuestionCode: "1.1", Answered: true, Value: Value{Text: "Perda"}, Files: 2, Review: ReviewApproved},
		{QuestionCode: "1.2", Answered: true, Value: Value{Text: "ya"}, Files: 1, Review: ReviewApproved},
		{QuestionCode: "4.1", Answered: true, Value: Value{Number: 100}, Review: ReviewApproved},
		{QuestionCode: "4.2", Answered: true, Value: Value{Number: 12}, Files: 1, Review: ReviewApproved},
	}
	r := NewModel(workedInstrument(), nil).Score(workedOPDs(), answers)
	if r.Verified.Points != 1000 || r.Tier.Name != "KLA" || r.NextTier != nil || len(r.Gaps) != 0 || !r.RouteReaches {
		t.Errorf("full marks: %v %s next %v, %d gaps", r.Verified.Points, r.Tier.Name, r.NextTier, len(r.Gaps))
	}
}

// TestScoreBandEdgesEndToEnd scores one percent question worth the whole 1000 points, so
// the answer sets the score to each band edge, and checks the tier the report states.
func TestScoreBandEdgesEndToEnd(t *testing.T) {
	t.Parallel()
	m := NewModel(Instrument{Year: 2026, Clusters: []Cluster{{Code: "I", Indicators: []Indicator{
		{Code: "4", MaxPoints: 1000, Questions: []Question{{Code: "4.1", Type: Percent, Target: 100, Weight: 1}}},
	}}}}, nil)
	tests := []struct {
		percent float64
		display string
		tier    string
		toNext  float64
	}{
		{49.99, "499,9", NoTierName, 0.1},
		{50, "500,0", "Pratama", 101},
		{60.09, "600,9", "Pratama", 0.1},
		{60.096, "601,0", "Madya", 100},
		{60.1, "601,0", "Madya", 100},
		{70.09, "700,9", "Madya", 0.1},
		{70.1, "701,0", "Nindya", 100},
		{100, "1.000,0", "KLA", 0},
	}
	for _, tt := range tests {
		r := m.Score(nil, []AnswerState{{QuestionCode: "4.1", Answered: true, Value: Value{Number: tt.percent}}})
		if got := FormatPoints(r.Evidenced.Points); got != tt.display || r.Tier.Name != tt.tier || r.PointsToNextTier != tt.toNext {
			t.Errorf("%v%%: %s %s (%v to next), want %s %s (%v)", tt.percent, got, r.Tier.Name, r.PointsToNextTier, tt.display, tt.tier, tt.toNext)
		}
	}
}

// TestNegativeAnswersNeedNoEvidence: "Tidak" or a band worth 0 on a question requiring
// evidence is not "evidence missing", unless the instrument asks for it always
// (issue 14, item 7).
func TestNegativeAnswersNeedNoEvidence(t *testing.T) {
	t.Parallel()
	inst := workedInstrument()
	m := NewModel(inst, nil)
	answers := []AnswerState{
		{QuestionCode: "1.2", Answered: true, Value: Value{Text: ValueNo}},
		{QuestionCode: "4.2", Answered: true, Value: Value{Number: 0}},
	}
	r := m.Score(workedOPDs(), answers)
	for _, res := range r.Results {
		if res.EvidenceMissing {
			t.Errorf("%s: a negative answer counted as evidence missing", res.Code)
		}
	}
	for _, o := range r.OPDs {
		if o.EvidenceMissing != 0 {
			t.Errorf("OPD %q counts %d answers missing evidence", o.Code, o.EvidenceMissing)
		}
	}
	inst.Clusters[0].Indicators[0].Questions[1].EvidenceAlways = true
	r = NewModel(inst, nil).Score(workedOPDs(), answers)
	if !r.Results[1].EvidenceMissing {
		t.Errorf("evidence always: a negative answer without evidence should be missing it: %+v", r.Results[1])
	}
	q := Question{Type: YesNo, EvidenceRequired: true}
	if q.NeedsEvidence(Value{Text: ValueNo}) || !q.NeedsEvidence(Value{Text: ValueYes}) {
		t.Error("NeedsEvidence: no evidence for tidak, evidence for ya")
	}
}
