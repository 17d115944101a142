package headline

import (
	"github.com/klabot/klabot/conversations/headline/intent"
	"github.com/klabot/klabot/scoring"
)

// ScoreQuestionKind is what a score question asks for.
type ScoreQuestionKind int

// The kinds of score questions.
const (
	ScoreOverview    ScoreQuestionKind = iota // "berapa nilai kita?", "kita peringkat apa?", /nilai
	ScoreToTier                               // "apa yang kurang untuk nindya?"
	ScoreLaggingOPDs                          // "OPD mana yang belum?"
	ScoreClusters                             // "klaster mana yang paling rendah?"
	ScoreDeadline                             // "kapan tenggatnya?"
	ScoreProgress                             // "gimana progres KLA?"
)

// ScoreQuestion is a parsed score question.
type ScoreQuestion struct {
	Kind ScoreQuestionKind
	Tier string // ScoreToTier: the tier asked about, as named in tiers
}

// ParseScoreQuestion recognises a plain question about the region's score, progress,
// gaps or deadline, in any word order, with chat abbreviations and small typos ("Nilai
// kita berapa?", "kapan tenggatnya?", "klaster mana yang paling rendah?") — see
// conversations/headline/intent. It returns false for anything else, so the caller can
// reply with ScoreHelpText.
func ParseScoreQuestion(text string, tiers scoring.Tiers) (ScoreQuestion, bool) {
	if len(tiers) == 0 {
		tiers = scoring.DefaultTiers
	}
	var names []string
	for _, t := range tiers {
		if t.Ranked() {
			names = append(names, t.Name)
		}
	}
	in, ok := intent.Match(text, names)
	if !ok {
		return ScoreQuestion{}, false
	}
	switch in.Kind {
	case intent.ToTier:
		return ScoreQuestion{Kind: ScoreToTier, Tier: in.Tier}, true
	case intent.LaggingOPDs:
		return ScoreQuestion{Kind: ScoreLaggingOPDs}, true
	case intent.WeakestCluster:
		return ScoreQuestion{Kind: ScoreClusters}, true
	case intent.Deadline:
		return ScoreQuestion{Kind: ScoreDeadline}, true
	case intent.Progress:
		return ScoreQuestion{Kind: ScoreProgress}, true
	}
	return ScoreQuestion{Kind: ScoreOverview}, true // the score, and the gaps it lists
}
