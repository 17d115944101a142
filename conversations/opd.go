package conversations

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
