package scoring

import (
	"reflect"
	"testing"
)

func TestQuestionMaxesAddUpToTheIndicator(t *testing.T) {
	t.Parallel()
	inst := Instrument{Clusters: []Cluster{{Code: "I", Indicators: []Indicator{
		{Code: "4", MaxPoints: 100, Questions: []Question{{Code: "a", Weight: 1}, {Code: "b", Weight: 1}, {Code: "c", Weight: 1}}},
		{Code: "5", MaxPoints: 50, Questions: []Question{{Code: "d", Weight: 2}, {Code: "e", Weight: 1}, {Code: "f", Weight: 0}}},
	}}}}
	m := NewModel(inst, nil)
	var got []float64
	for _, c := range []string{"a", "b", "c", "d", "e", "f"} {
		p, ok := m.QuestionMax(c)
		if !ok {
			t.Fatalf("QuestionMax(%s) not found", c)
		}
		got = append(got, p)
	}
	// 100/3 leaves one micro-point over: it goes to the first question.
	want := []float64{33.333334, 33.333333, 33.333333, 33.333333, 16.666667, 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("maxes = %v, want %v", got, want)
	}
	if m.MaxPoints() != 150 {
		t.Errorf("MaxPoints = %v, want 150", m.MaxPoints())
	}
	if _, ok := m.QuestionMax("zz"); ok {
		t.Error("QuestionMax(zz) found")
	}
}
