package loadtest

import (
	"testing"

	"github.com/klabot/klabot/scoring"
)

// TestBuildInstrument checks the synthetic instrument passes the import rules (1000
// points over 24 indicators) and gives every OPD every answer type, with and without
// required evidence.
func TestBuildInstrument(t *testing.T) {
	t.Parallel()
	for _, spec := range []Spec{{}, {OPDs: 3, Questions: 48}, {OPDs: 8, Questions: 200}} {
		spec, err := spec.WithDefaults()
		if err != nil {
			t.Fatal(err)
		}
		inst := BuildInstrument(spec)
		if err := inst.Validate(); err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		if got := scoring.NewModel(*inst, nil).MaxPoints(); got != 1000 {
			t.Errorf("%+v: %v points", spec, got)
		}
		qs := inst.Questions()
		if len(qs) != spec.Questions {
			t.Errorf("%+v: %d questions", spec, len(qs))
		}
		type combo struct {
			t        scoring.AnswerType
			evidence bool
		}
		per := map[string]map[combo]bool{}
		for _, q := range qs {
			for _, o := range q.OPDCodes {
				if per[o] == nil {
					per[o] = map[combo]bool{}
				}
				per[o][combo{q.Type, q.EvidenceRequired}] = true
			}
		}
		for i := 1; i <= spec.OPDs; i++ {
			got := per[OPDCode(i)]
			for _, at := range scoring.AnswerTypes {
				if spec.Questions/spec.OPDs >= 24 && (!got[combo{at, true}] || !got[combo{at, false}]) {
					t.Errorf("%+v: %s lacks %s questions with or without evidence", spec, OPDCode(i), at)
				}
				if !got[combo{at, true}] && !got[combo{at, false}] {
					t.Errorf("%+v: %s has no %s question", spec, OPDCode(i), at)
				}
			}
		}
	}
}
