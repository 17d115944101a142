package conversations_test

import (
	"fmt"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/dashboard"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/headline"
	"github.com/klabot/klabot/conversations/invite"
	"github.com/klabot/klabot/conversations/onboarding"
	"github.com/klabot/klabot/conversations/review"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// catalogueParts are the texts of the core and of every capability: one catalogue,
// kept beside the code of each package.
func catalogueParts() []conversations.Texts {
	return append(conversations.CoreTexts(), answering.Texts(), onboarding.Texts(), review.Texts(), headline.Texts(), digest.Texts(), dashboard.Texts(), invite.Texts())
}

func TestCatalogueKeysAreUniqueAcrossFeatures(t *testing.T) {
	t.Parallel()
	if errs := catalogueProblems(catalogueParts()); len(errs) > 0 {
		t.Errorf("catalogue problems:\n%s", strings.Join(errs, "\n"))
	}
}

// The checker must catch each kind of mistake, or the test above proves nothing.
func TestCatalogueChecksCatchMistakes(t *testing.T) {
	t.Parallel()
	good := conversations.Texts{"a": {"Ada %d dari %s", "%[2]s has %[1]d"}, "b": {"Ya", ""}, "p": {"mis. 87,5%.", "e.g. 87.5%."}, "q": {"(Target: %s%%)", "(Target: %s%%)"}}
	for _, tc := range []struct {
		name  string
		parts []conversations.Texts
		want  string
	}{
		{"duplicate key", []conversations.Texts{good, {"a": {"Ada %d dari %s", "%d of %s"}}}, `"a" is in parts 0 and 1`},
		{"empty Indonesian", []conversations.Texts{{"c": {"", "Yes"}}}, `"c": empty Indonesian`},
		{"blank Indonesian", []conversations.Texts{{"c": {"  ", "Yes"}}}, `"c": empty Indonesian`},
		{"verb count", []conversations.Texts{{"d": {"Ada %d dari %d", "%d"}}}, `"d": verbs`},
		{"verb order", []conversations.Texts{{"e": {"Ada %d dari %s", "%s has %d"}}}, `"e": verbs`},
		{"verb kind", []conversations.Texts{{"f": {"Ada %d", "Has %s"}}}, `"f": verbs`},
		{"bare percent beside a verb", []conversations.Texts{{"h": {"Naik %s%", "Up %s%"}}}, `"h": verbs`},
		{"one argument, two verbs", []conversations.Texts{{"g": {"%d lalu %[1]s", "%d then %[1]d"}}}, `"g": verbs`},
	} {
		errs := catalogueProblems(tc.parts)
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tc.want) }) {
			t.Errorf("%s: got %q, want a problem containing %q", tc.name, errs, tc.want)
		}
	}
	if errs := catalogueProblems([]conversations.Texts{good}); len(errs) > 0 {
		t.Errorf("good catalogue: %q", errs)
	}
}

// catalogueProblems lists duplicate keys across parts, empty Indonesian texts, and pairs
// whose fmt verbs differ (per argument, so explicit indexes like %[2]s may reorder words).
func catalogueProblems(parts []conversations.Texts) []string {
	var errs []string
	seen := map[conversations.TextKey]int{}
	for i, p := range parts {
		for k, pair := range p {
			if j, ok := seen[k]; ok {
				errs = append(errs, fmt.Sprintf("%q is in parts %d and %d", k, j, i))
			}
			seen[k] = i
			if strings.TrimSpace(pair[0]) == "" {
				errs = append(errs, fmt.Sprintf("%q: empty Indonesian text", k))
			}
			if pair[1] == "" {
				continue // Indonesian only; tr falls back to it
			}
			id, err1 := fmtArgs(pair[0])
			en, err2 := fmtArgs(pair[1])
			switch {
			case err1 != nil || err2 != nil:
				errs = append(errs, fmt.Sprintf("%q: verbs: %v %v", k, err1, err2))
			case !slices.Equal(id, en):
				errs = append(errs, fmt.Sprintf("%q: verbs %q (id) vs %q (en)", k, id, en))
			}
		}
	}
	slices.Sort(errs)
	return errs
}

// fmtArgs returns the verb that format applies to each argument, in argument order
// ("*" for a star width or precision), or an error for a malformed index, for an
// argument used with two different verbs, or for a bare percent sign beside verbs.
func fmtArgs(format string) ([]string, error) {
	var verbs []string
	use := func(arg int, verb string) error {
		for len(verbs) <= arg {
			verbs = append(verbs, "")
		}
		if verbs[arg] != "" && verbs[arg] != verb {
			return fmt.Errorf("argument %d used as %%%s and %%%s", arg+1, verbs[arg], verb)
		}
		verbs[arg] = verb
		return nil
	}
	arg, literal := 0, false
	s := format
	index := func() error { // an explicit [n] at the start of s
		if !strings.HasPrefix(s, "[") {
			return nil
		}
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return fmt.Errorf("unclosed index in %q", format)
		}
		n, err := strconv.Atoi(s[1:end])
		if err != nil || n < 1 {
			return fmt.Errorf("bad index in %q", format)
		}
		arg, s = n-1, s[end+1:]
		return nil
	}
	star := func() error { // a * width or precision, or digits
		if strings.HasPrefix(s, "*") {
			s = s[1:]
			arg++
			return use(arg-1, "*")
		}
		s = strings.TrimLeft(s, "0123456789")
		return nil
	}
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			break
		}
		s = s[i+1:]
		rest := s
		if strings.HasPrefix(s, "%") {
			s = s[1:]
			continue
		}
		s = strings.TrimLeft(s, "+-# 0")
		for _, step := range []func() error{index, star} {
			if err := step(); err != nil {
				return nil, err
			}
		}
		if strings.HasPrefix(s, ".") {
			s = s[1:]
			for _, step := range []func() error{index, star} {
				if err := step(); err != nil {
					return nil, err
				}
			}
		}
		if err := index(); err != nil {
			return nil, err
		}
		r, size := utf8.DecodeRuneInString(s)
		if !unicode.IsLetter(r) || r > unicode.MaxASCII {
			// Not a verb: a percent sign of a text rendered without arguments, which tr
			// returns verbatim ("87,5%.").
			s, literal = rest, true
			continue
		}
		s = s[size:]
		if err := use(arg, string(r)); err != nil {
			return nil, err
		}
		arg++
	}
	if literal && len(verbs) > 0 {
		return nil, fmt.Errorf("a bare %% beside verbs in %q; write %%%%", format)
	}
	return verbs, nil
}
