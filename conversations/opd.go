package conversations

import (
	"strings"
	"unicode"
)

// OPD is one of a region's agencies (Organisasi Perangkat Daerah) or partners.
type OPD struct {
	ID         int64  `json:"id"`
	RegionCode string `json:"region_code"`
	Code       string `json:"code"` // the region's own code, e.g. DP3AP2KB
	Name       string `json:"name"`
	// AnswersFor lists the national OPD codes of the instrument this OPD answers
	// (a local "DP3AP2KB" answers for "DP3A" and "DPPKB"). Questions whose
	// scoring.Question.OPDCodes meet this list are the OPD's questions.
	AnswersFor []string `json:"answers_for"`
}

// Answers reports whether the OPD answers a question assigned to the national codes.
func (o OPD) Answers(codes []string) bool {
	for _, c := range codes {
		for _, a := range o.AnswersFor {
			if c == a {
				return true
			}
		}
	}
	return false
}

// FindOPD finds the OPD a coordinator names, by the region's code ("DINKES", any case)
// or by name ("dinas kesehatan", "Kesehatan", with spaces and case ignored; a part of
// the name is enough when only one OPD has it). It reports false for no OPD or for a
// name several OPDs share.
func FindOPD(opds []OPD, text string) (OPD, bool) {
	want := squashName(text)
	if want == "" {
		return OPD{}, false
	}
	for _, o := range opds {
		if squashName(o.Code) == want || squashName(o.Name) == want {
			return o, true
		}
	}
	if len(want) < 4 {
		return OPD{}, false
	}
	var hit []OPD
	for _, o := range opds {
		if strings.Contains(squashName(o.Name), want) {
			hit = append(hit, o)
		}
	}
	if len(hit) == 1 {
		return hit[0], true
	}
	return OPD{}, false
}

// squashName lowercases s and keeps only its letters and digits.
func squashName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
