package headline

import (
	"strings"
	"unicode"

	"github.com/klabot/klabot/scoring"
)

// ScoreQuestionKind is what a score question asks for.
type ScoreQuestionKind int

// The kinds of score questions.
const (
	ScoreOverview    ScoreQuestionKind = iota // "berapa nilai kita?", "kita peringkat apa?", /nilai
	ScoreToTier                               // "apa yang kurang untuk nindya?"
	ScoreLaggingOPDs                          // "OPD mana yang belum?"
)

// ScoreQuestion is a parsed score question.
type ScoreQuestion struct {
	Kind ScoreQuestionKind
	Tier string // ScoreToTier: the tier asked about, as named in tiers
}

// scoreWords are words that make a plain message a question about the score.
var scoreWords = []string{"nilai", "skor", "score", "poin", "peringkat", "predikat", "tier", "posisi",
	"kurang", "capaian", "ranking", "rangking", "status kla"}

// lagWords, next to "opd", ask which OPDs are behind.
var lagWords = []string{"belum", "mana", "tertinggal", "lambat", "terlambat", "lengkap", "progres"}

// ParseScoreQuestion recognises a plain question about the region's score, such as
// "berapa nilai kita?", "kita peringkat apa?", "apa yang kurang untuk nindya?" or
// "OPD mana yang belum?". It returns false for anything else, so the caller can reply
// with ScoreHelpText.
func ParseScoreQuestion(text string, tiers scoring.Tiers) (ScoreQuestion, bool) {
	if len(tiers) == 0 {
		tiers = scoring.DefaultTiers
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) == 0 {
		return ScoreQuestion{}, false
	}
	joined := " " + strings.Join(words, " ") + " "
	has := func(w string) bool { return strings.Contains(joined, " "+w+" ") }

	// A tier named as a goal. "KLA" is also the programme's name ("nilai KLA kita"), so it
	// counts as a goal only after a word that points at one.
	for _, t := range tiers {
		if !t.Ranked() {
			continue
		}
		name := strings.ToLower(t.Name)
		if name == "kla" {
			for _, lead := range []string{"untuk", "ke", "menuju", "mencapai", "jadi", "menjadi", "predikat", "capai"} {
				if has(lead + " kla") {
					return ScoreQuestion{Kind: ScoreToTier, Tier: t.Name}, true
				}
			}
			continue
		}
		if has(name) {
			return ScoreQuestion{Kind: ScoreToTier, Tier: t.Name}, true
		}
	}
	if has("opd") || has("dinas") {
		for _, w := range lagWords {
			if has(w) {
				return ScoreQuestion{Kind: ScoreLaggingOPDs}, true
			}
		}
	}
	for _, w := range scoreWords {
		if has(w) {
			return ScoreQuestion{Kind: ScoreOverview}, true
		}
	}
	return ScoreQuestion{}, false
}
