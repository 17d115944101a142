package conversations

import "fmt"

// TextKey names one person-facing text.
type TextKey string

// Texts are one package's person-facing texts by key, Indonesian first, English second.
// Arguments are fmt verbs, in the same order in both languages (or with explicit indexes).
// Each capability keeps its own beside its code; catalogue_test.go checks them all.
type Texts map[TextKey][2]string

// Tr renders text k in lang ("en" for English; anything else, or a text without an
// English version, is Indonesian). Arguments fill the text's fmt verbs. An unknown key
// renders as itself.
func (t Texts) Tr(lang string, k TextKey, args ...any) string {
	pair, ok := t[k]
	if !ok {
		return string(k)
	}
	s := pair[0]
	if lang == "en" && pair[1] != "" {
		s = pair[1]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// msgKey names one text of the core's catalogue.
type msgKey = TextKey

// catalogueParts are the core's own texts: the dialogue still in the core, and the score
// words shared by the capabilities. Each capability keeps its own Texts beside its code;
// catalogue_test.go checks all of them together (keys unique across packages, the
// Indonesian text required, the fmt verbs of both languages alike).
var catalogueParts = []Texts{engineTexts, scoreWords, inboundTexts, oldFileTexts, colleagueTexts}

// catalogue is every person-facing text of the core, Indonesian first, English second.
//
// Not in it, because their wording is tied to logic rather than one template: the
// command help lines (Help/HelpEN in the command tables) and, in the capabilities,
// NudgeMessage, ScoreUnavailableText, deadlineID, namesID, headlineName and
// clusterShortName.
var catalogue = mergeTexts(catalogueParts...)

func mergeTexts(parts ...Texts) Texts {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	all := make(Texts, n)
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
	return catalogue.Tr(lang, k, args...)
}

// CoreTexts are the core's texts (and, until they move to their own packages, the
// features still in it), for the one catalogue test.
func CoreTexts() []Texts { return catalogueParts }
