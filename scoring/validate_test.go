package scoring_test

import (
	"strings"
	"testing"

	"github.com/klabot/klabot/scoring"
)

func validInstrument() *scoring.Instrument {
	return &scoring.Instrument{Year: 2026, Name: "Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Kebijakan", MaxPoints: 400, Questions: []scoring.Question{
				{Code: "1.1", Text: "Ada Perda?", Type: scoring.YesNo, Weight: 1, OPDCodes: []string{"BAGHUKUM"}},
			}},
		}},
		{Code: "III", Name: "Klaster III", Indicators: []scoring.Indicator{
			{Code: "12", Name: "Gizi", MaxPoints: 600, Questions: []scoring.Question{
				{Code: "12.1", Text: "Stunting", Type: scoring.Number, Weight: 2, OPDCodes: []string{"DINKES"},
					Bands: []scoring.Band{{Min: 0, Max: 14, Fraction: 1}, {Min: 14, Max: 20, Fraction: 0.5}, {Min: 20, Open: true}}},
				{Code: "12.2", Text: "Posyandu", Type: scoring.Choice, Weight: 1, OPDCodes: []string{"DINKES"},
					Options: []scoring.Option{{Label: "Mandiri", Fraction: 1}, {Label: "Madya", Fraction: 0.5}}},
				{Code: "12.3", Text: "D/S", Type: scoring.Percent, Target: 100, Weight: 1, OPDCodes: []string{"DINKES"}},
			}},
		}},
	}}
}

func TestValidateAcceptsValid(t *testing.T) {
	t.Parallel()
	if err := validInstrument().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateFindsEveryProblem(t *testing.T) {
	t.Parallel()
	in := validInstrument()
	ind := &in.Clusters[1].Indicators[0]
	ind.MaxPoints = 500
	ind.Questions[0].Bands = []scoring.Band{{Min: 0, Max: 10, Fraction: 1}, {Min: 5, Max: 20, Fraction: 1.5}}
	ind.Questions[1].Options = []scoring.Option{{Label: "Mandiri", Fraction: 1}, {Label: "mandiri", Fraction: 0}}
	ind.Questions[2].Target = 0
	ind.Questions = append(ind.Questions,
		scoring.Question{Code: "1.1", Text: "dup", Type: "yesno", Weight: 0},
	)
	err := in.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"add up to 900, not 1000",
		"question 12.1, options: band 2 overlaps",
		"question 12.1, options: band 2: fraction 1.5 is not between 0 and 1",
		`question 12.2, options: option "mandiri" appears twice`,
		"question 12.3, options: a percent question needs a target",
		"question 1.1, question_code: duplicate question code",
		`question 1.1, answer_type: unknown type "yesno"`,
		"question 1.1, weight: weight must be a number above 0",
		"question 1.1, opd_codes: the question is assigned to no OPD",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
