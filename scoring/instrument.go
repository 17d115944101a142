// Package scoring owns the KLA instrument (clusters, indicators, questions) and the
// arithmetic on it: answer fractions, points, the three scores, tiers and gaps.
// It is pure Go: no I/O and no imports from the rest of klabot.
package scoring

// AnswerType says how a question is answered and how its answer becomes a fraction 0..1.
type AnswerType string

// The answer types of the import format.
const (
	YesNo        AnswerType = "yes_no"         // ya=1, tidak=0
	YesPartialNo AnswerType = "yes_partial_no" // ya=1, sebagian=0.5, tidak=0
	Choice       AnswerType = "choice"         // the chosen option's fraction
	Number       AnswerType = "number"         // the fraction of the band the number falls in
	Percent      AnswerType = "percent"        // value / target, capped at 1
	Text         AnswerType = "text"           // 1 when non-empty
	Date         AnswerType = "date"           // 1 when a date is given
	File         AnswerType = "file"           // 1 when at least one file is attached
)

// AnswerTypes lists every known answer type, in the order the README documents them.
var AnswerTypes = []AnswerType{YesNo, YesPartialNo, Choice, Number, Percent, Text, Date, File}

// Valid reports whether t is a known answer type.
func (t AnswerType) Valid() bool {
	for _, k := range AnswerTypes {
		if t == k {
			return true
		}
	}
	return false
}

// Canonical values of yes/partly/no answers, as stored in Value.Text.
const (
	ValueYes     = "ya"
	ValuePartial = "sebagian"
	ValueNo      = "tidak"
)

// Option is one choice of a Choice question.
type Option struct {
	Label    string  `json:"label"`
	Fraction float64 `json:"fraction"`
}

// Band is one range of a Number question: Min <= n <= Max (Max ignored when Open).
type Band struct {
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Open     bool    `json:"open,omitempty"` // "5+" : no upper bound
	Fraction float64 `json:"fraction"`
}

// ClusterCodes are the codes of kelembagaan and the five clusters, in order.
var ClusterCodes = []string{"KELEMBAGAAN", "I", "II", "III", "IV", "V"}

// ClusterNames are the official names of the clusters, by code.
var ClusterNames = map[string]string{
	"KELEMBAGAAN": "Kelembagaan",
	"I":           "Klaster I — Hak Sipil dan Kebebasan",
	"II":          "Klaster II — Lingkungan Keluarga dan Pengasuhan Alternatif",
	"III":         "Klaster III — Kesehatan Dasar dan Kesejahteraan",
	"IV":          "Klaster IV — Pendidikan, Pemanfaatan Waktu Luang, dan Kegiatan Budaya",
	"V":           "Klaster V — Perlindungan Khusus",
}

// Instrument is one evaluation year's borang: clusters, their indicators and questions.
type Instrument struct {
	Year     int       `json:"year"`
	Name     string    `json:"name"`
	Clusters []Cluster `json:"clusters"`
}

// Cluster is kelembagaan or one of the five clusters.
type Cluster struct {
	Code       string      `json:"code"` // KELEMBAGAAN, I, II, III, IV, V
	Name       string      `json:"name"`
	Indicators []Indicator `json:"indicators"`
}

// Indicator is one of the (currently 24) indicators; its questions share MaxPoints by weight.
type Indicator struct {
	Code      string     `json:"code"`
	Name      string     `json:"name"`
	MaxPoints float64    `json:"max_points"`
	Questions []Question `json:"questions"`
}

// Question is one item a focal point answers.
type Question struct {
	Code             string     `json:"code"`
	Text             string     `json:"text"`
	Help             string     `json:"help,omitempty"`
	Type             AnswerType `json:"answer_type"`
	Options          []Option   `json:"options,omitempty"` // Choice
	Bands            []Band     `json:"bands,omitempty"`   // Number
	Target           float64    `json:"target,omitempty"`  // Percent
	Weight           float64    `json:"weight"`            // relative weight inside its indicator; > 0
	EvidenceRequired bool       `json:"evidence_required"`
	// EvidenceAlways asks for evidence even for a negative answer (a "Tidak" that must
	// be backed by a statement letter); without it a negative answer needs none.
	EvidenceAlways bool     `json:"evidence_always,omitempty"`
	OPDCodes       []string `json:"opd_codes"` // national OPD codes that answer it
}

// NeedsEvidence reports whether answer v to q needs evidence: q requires evidence and
// v is not negative ("Tidak", "Belum ada", an option or band worth 0), unless the
// instrument asks for evidence always. File questions are answered by their files.
func (q *Question) NeedsEvidence(v Value) bool {
	if !q.EvidenceRequired {
		return false
	}
	if q.EvidenceAlways {
		return true
	}
	return fraction(q, AnswerState{Answered: true, Value: v, Files: 1}) > 0
}

// Value is a parsed, canonical answer. Which field is used depends on the AnswerType:
// Text for yes_no/yes_partial_no (ValueYes...), choice (the option label), text, and
// date (YYYY-MM-DD); Number for number and percent. File answers carry no value.
type Value struct {
	Text   string  `json:"text,omitempty"`
	Number float64 `json:"number,omitempty"`
}

// Questions returns every question of the instrument in instrument order.
func (in *Instrument) Questions() []Question {
	var qs []Question
	for _, c := range in.Clusters {
		for _, ind := range c.Indicators {
			qs = append(qs, ind.Questions...)
		}
	}
	return qs
}
