package instrumentdiff_test

import (
	"reflect"
	"testing"

	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentdiff"
)

// base is a two-indicator instrument: 1 (600 points: 1.1 yes_no, 1.2 choice weight 2),
// 4 (400 points: 4.1 number bands, 4.2 percent).
func base() *scoring.Instrument {
	return &scoring.Instrument{Year: 2026, Name: "Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Perda KLA", MaxPoints: 600, Questions: []scoring.Question{
				{Code: "1.1", Text: "Ada Perda KLA?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: true, OPDCodes: []string{"BAGHUKUM"}},
				{Code: "1.2", Text: "Bentuk kebijakan?", Type: scoring.Choice, Weight: 2, OPDCodes: []string{"BAGHUKUM"},
					Options: []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "SK", Fraction: 0.5}, {Label: "Belum", Fraction: 0}}},
			}},
		}},
		{Code: "I", Name: "Klaster I", Indicators: []scoring.Indicator{
			{Code: "4", Name: "Akta", MaxPoints: 400, Questions: []scoring.Question{
				{Code: "4.1", Text: "Rapat per tahun?", Type: scoring.Number, Weight: 1, OPDCodes: []string{"DISDUKCAPIL"},
					Bands: []scoring.Band{{Min: 0, Max: 0, Fraction: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}},
				{Code: "4.2", Text: "Cakupan akta (%)", Type: scoring.Percent, Target: 100, Weight: 1, OPDCodes: []string{"DISDUKCAPIL"}},
			}},
		}},
	}}
}

func q(in *scoring.Instrument, code string) *scoring.Question {
	for ci := range in.Clusters {
		for ii := range in.Clusters[ci].Indicators {
			ind := &in.Clusters[ci].Indicators[ii]
			for qi := range ind.Questions {
				if ind.Questions[qi].Code == code {
					return &ind.Questions[qi]
				}
			}
		}
	}
	panic(code)
}

// usage: 1.1 "ya" ×3 (with files), 1.2 "SK" ×2, 4.1 number 3 ×2, 4.2 87.5 ×1.
func usage() instrumentdiff.Usage {
	return instrumentdiff.Usage{
		"1.1": {{Value: scoring.Value{Text: "ya"}, Files: true, Count: 3}},
		"1.2": {{Value: scoring.Value{Text: "SK"}, Count: 2}},
		"4.1": {{Value: scoring.Value{Number: 3}, Count: 2}},
		"4.2": {{Value: scoring.Value{Number: 87.5}, Count: 1}},
	}
}

func TestCompareSameFileTouchesNothing(t *testing.T) {
	d := instrumentdiff.Compare(base(), nil, base(), usage())
	if len(d.Changes) != 0 || d.Unchanged != 4 || d.Touched() != 0 {
		t.Fatalf("diff = %+v", d)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(in *scoring.Instrument)
		want    []instrumentdiff.Change
		touched int
	}{
		{"wording and OPDs keep answers", func(in *scoring.Instrument) {
			q(in, "1.1").Text = "Apakah ada Perda KLA?"
			q(in, "4.2").OPDCodes = []string{"DISDUKCAPIL", "DINKES"}
		}, []instrumentdiff.Change{
			{Code: "1.1", Kind: instrumentdiff.Changed, Fields: []string{"text"}, Answers: 3},
			{Code: "4.2", Kind: instrumentdiff.Changed, Fields: []string{"opd_codes"}, Answers: 1},
		}, 0},
		{"an option renamed at the same place and fraction is mapped", func(in *scoring.Instrument) {
			q(in, "1.2").Options[1].Label = "SK atau SE"
		}, []instrumentdiff.Change{
			{Code: "1.2", Kind: instrumentdiff.Changed, Fields: []string{"options"}, Answers: 2,
				Renames: []instrumentdiff.Rename{{From: "SK", To: "SK atau SE", Answers: 2}}},
		}, 0},
		{"an option's fraction changed touches its answers", func(in *scoring.Instrument) {
			q(in, "1.2").Options[1].Fraction = 0.25
		}, []instrumentdiff.Change{
			{Code: "1.2", Kind: instrumentdiff.Changed, Fields: []string{"options"}, Answers: 2, Touched: 2,
				Why: []string{`answer "SK" scores 0,25 instead of 0,5`}},
		}, 2},
		{"a chosen option removed touches its answers", func(in *scoring.Instrument) {
			q(in, "1.2").Options = []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "Belum", Fraction: 0}}
		}, []instrumentdiff.Change{
			{Code: "1.2", Kind: instrumentdiff.Changed, Fields: []string{"options"}, Answers: 2, Touched: 2,
				Why: []string{`"SK" is no answer to a choice question`}},
		}, 2},
		{"number to yes_partial_no touches every answer", func(in *scoring.Instrument) {
			qq := q(in, "4.1")
			qq.Type, qq.Bands = scoring.YesPartialNo, nil
		}, []instrumentdiff.Change{
			{Code: "4.1", Kind: instrumentdiff.Changed, Fields: []string{"answer_type", "bands"}, Answers: 2, Touched: 2,
				Why: []string{"type number → yes_partial_no", `"3" is no answer to a yes_partial_no question`}},
		}, 2},
		{"yes_no to yes_partial_no keeps ya and tidak", func(in *scoring.Instrument) {
			q(in, "1.1").Type = scoring.YesPartialNo
		}, []instrumentdiff.Change{
			{Code: "1.1", Kind: instrumentdiff.Changed, Fields: []string{"answer_type"}, Answers: 3},
		}, 0},
		{"bands moved without changing the answers' fraction", func(in *scoring.Instrument) {
			q(in, "4.1").Bands = []scoring.Band{{Min: 0, Max: 0, Fraction: 0}, {Min: 1, Max: 3, Fraction: 0.5}, {Min: 4, Open: true, Fraction: 1}}
		}, []instrumentdiff.Change{
			{Code: "4.1", Kind: instrumentdiff.Changed, Fields: []string{"bands"}, Answers: 2},
		}, 0},
		{"a weight change re-shares the indicator", func(in *scoring.Instrument) {
			q(in, "1.2").Weight = 1
		}, []instrumentdiff.Change{
			{Code: "1.1", Kind: instrumentdiff.Changed, Fields: []string{"points"}, Answers: 3, Touched: 3, Why: []string{"max points 200,0 → 300,0"}},
			{Code: "1.2", Kind: instrumentdiff.Changed, Fields: []string{"weight"}, Answers: 2, Touched: 2, Why: []string{"max points 400,0 → 300,0"}},
		}, 5},
		{"evidence newly required touches answers without files only", func(in *scoring.Instrument) {
			q(in, "1.1").EvidenceRequired = false
			q(in, "4.2").EvidenceRequired = true
		}, []instrumentdiff.Change{
			{Code: "1.1", Kind: instrumentdiff.Changed, Fields: []string{"evidence_required"}, Answers: 3},
			{Code: "4.2", Kind: instrumentdiff.Changed, Fields: []string{"evidence_required"}, Answers: 1, Touched: 1,
				Why: []string{"evidence now required, answers without files stop counting"}},
		}, 1},
		{"retiring an answered question and adding one", func(in *scoring.Instrument) {
			ind := &in.Clusters[1].Indicators[0]
			ind.Questions[1] = scoring.Question{Code: "4.3", Text: "Unggah data", Type: scoring.File, Weight: 1, OPDCodes: []string{"DISDUKCAPIL"}}
		}, []instrumentdiff.Change{
			{Code: "4.3", Kind: instrumentdiff.Added},
			{Code: "4.2", Kind: instrumentdiff.Retired, Answers: 1, Touched: 1, Why: []string{"answers hidden"}},
		}, 1},
		{"adding a question dilutes its answered siblings", func(in *scoring.Instrument) {
			ind := &in.Clusters[1].Indicators[0]
			ind.Questions = append(ind.Questions, scoring.Question{Code: "4.3", Text: "Unggah data", Type: scoring.File, Weight: 2, OPDCodes: []string{"DISDUKCAPIL"}})
		}, []instrumentdiff.Change{
			{Code: "4.3", Kind: instrumentdiff.Added},
			{Code: "4.1", Kind: instrumentdiff.Changed, Fields: []string{"points"}, Answers: 2, Touched: 2, Why: []string{"max points 200,0 → 100,0"}},
			{Code: "4.2", Kind: instrumentdiff.Changed, Fields: []string{"points"}, Answers: 1, Touched: 1, Why: []string{"max points 200,0 → 100,0"}},
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := base()
			tt.edit(next)
			d := instrumentdiff.Compare(base(), nil, next, usage())
			if !reflect.DeepEqual(d.Changes, tt.want) {
				t.Fatalf("changes:\n got %+v\nwant %+v", d.Changes, tt.want)
			}
			if d.Touched() != tt.touched {
				t.Fatalf("touched = %d, want %d", d.Touched(), tt.touched)
			}
		})
	}
}

func TestCompareRevived(t *testing.T) {
	old := base()
	gone := old.Clusters[1].Indicators[0].Questions[1]
	old.Clusters[1].Indicators[0].Questions = old.Clusters[1].Indicators[0].Questions[:1]
	retired := map[string]instrumentdiff.Located{"4.2": {Question: gone, Indicator: "4"}}
	d := instrumentdiff.Compare(old, retired, base(), usage())
	var revived *instrumentdiff.Change
	for i := range d.Changes {
		if d.Changes[i].Kind == instrumentdiff.Revived {
			revived = &d.Changes[i]
		}
	}
	if revived == nil || revived.Code != "4.2" || revived.Touched != 1 || revived.Why[0] != "answers count again" {
		t.Fatalf("diff = %+v", d.Changes)
	}
}

func TestCompareNewYear(t *testing.T) {
	d := instrumentdiff.Compare(nil, nil, base(), nil)
	if d.Count(instrumentdiff.Added) != 4 || d.Touched() != 0 {
		t.Fatalf("diff = %+v", d)
	}
}
