package headline

import (
	"context"
	"errors"
	"github.com/klabot/klabot/conversations"
	"strings"
)

// ScoreUnavailableText is the reply when the region's score cannot be computed because
// the region or its year's instrument is missing.
const ScoreUnavailableText = "Nilai belum bisa dihitung: instrumen penilaian tahun ini belum dimuat untuk daerah Anda. Hubungi admin klabot."

// Reply answers, with s, /nilai (text is then the command's arguments, possibly empty) or a plain
// score question from p, in one message: the region's score for heads, coordinators and
// admins, the OPD's own progress for focal points. An empty text is the overview; a text
// it does not understand gets ScoreHelpText. Only unexpected failures return an error.
func Reply(ctx context.Context, s *conversations.Scorer, p conversations.Person, text string) (string, error) {
	q, ok := ParseScoreQuestion(text, s.Tiers)
	if !ok && strings.TrimSpace(text) != "" {
		return ScoreHelpText(), nil
	}
	rs, err := s.Score(ctx, p.RegionCode, 0)
	if errors.Is(err, conversations.ErrNotFound) {
		return ScoreUnavailableText, nil
	}
	if err != nil {
		return "", err
	}
	return ScoreAnswer(rs, q, p, s.Tiers), nil
}
