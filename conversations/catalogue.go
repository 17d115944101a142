package conversations

import "fmt"

// msgKey names one text of the catalogue.
type msgKey string

// catalogueParts are the feature maps of the one catalogue (DESIGN.md §6). Each feature
// keeps its texts beside its code; a key lives in exactly one part (catalogue_test.go
// checks it, with the Indonesian text required and the fmt verbs of both languages alike).
var catalogueParts = []map[msgKey][2]string{engineTexts, reviewTexts, scoreTexts, digestTexts}

// catalogue is every person-facing text of the engine, Indonesian first, English second.
//
// Not in it yet, because their wording is tied to logic rather than one template:
// NudgeMessage (nudge.go; each language has its own plural and date rules), the command
// help lines (help/helpEN in the command tables), ScoreUnavailableText (an exported
// constant other packages compare with), the date and deadline phrases of
// digest_format.go (deadlineID, namesID), headlineName (digest_report.go) and
// clusterShortName (digest.go).
var catalogue = mergeTexts(catalogueParts...)

func mergeTexts(parts ...map[msgKey][2]string) map[msgKey][2]string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	all := make(map[msgKey][2]string, n)
	for _, p := range parts {
		for k, v := range p {
			all[k] = v
		}
	}
	return all
}

// tr renders text k in lang ("en" for English; anything else, or a text without an
// English version, is Indonesian). Arguments fill the text's fmt verbs.
func tr(lang string, k msgKey, args ...any) string {
	pair, ok := catalogue[k]
	if !ok {
		return string(k)
	}
	t := pair[0]
	if lang == "en" && pair[1] != "" {
		t = pair[1]
	}
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}
