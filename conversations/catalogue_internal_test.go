package conversations

import "testing"

func TestCatalogueMergesItsParts(t *testing.T) {
	t.Parallel()
	n := 0
	for _, p := range catalogueParts {
		n += len(p)
	}
	if len(catalogue) != n {
		t.Errorf("catalogue has %d texts, its parts %d", len(catalogue), n)
	}
}
