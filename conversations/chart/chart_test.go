package chart_test

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/klabot/klabot/conversations/chart"
)

func sample() chart.Input {
	return chart.Input{
		Title: "Kota Contoh - 23 November 2026",
		Clusters: []chart.Bar{
			{Label: "KLMB", Claimed: 80, Evidenced: 60, Max: 130},
			{Label: "I", Claimed: 100, Evidenced: 90, Max: 110},
			{Label: "II", Claimed: 50, Evidenced: 10, Max: 150},
			{Label: "III", Claimed: 200, Evidenced: 150, Max: 220},
			{Label: "IV", Claimed: 0, Evidenced: 0, Max: 200},
			{Label: "V", Claimed: 300, Evidenced: 190, Max: 190}, // over max: drawn full
		},
		Total:      chart.Bar{Label: "Total 612,4 / 1000 (berbukti 540,2)", Claimed: 612.4, Evidenced: 540.2, Max: 1000},
		Thresholds: []chart.Threshold{{"Pratama", 500}, {"Madya", 601}, {"Nindya", 701}, {"Utama", 801}, {"KLA", 901}},
	}
}

func TestRenderIsAPNGOfTheRightSize(t *testing.T) {
	t.Parallel()
	b, err := chart.Render(sample())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != chart.Width || got.Y != chart.Height || chart.Width != 800 || chart.Height != 500 {
		t.Fatalf("size %v, want 800x500", got)
	}
	if len(b) > 64<<10 {
		t.Errorf("PNG is %d bytes; should stay small for slow networks", len(b))
	}
	// The evidenced bar of cluster I (90/110) is dark blue at its base.
	r, g, bl, _ := img.At(70+(730/6)*1+(730/6)/2+10, 325).RGBA()
	if r>>8 != 25 || g>>8 != 97 || bl>>8 != 196 {
		t.Errorf("evidenced bar colour = %d,%d,%d", r>>8, g>>8, bl>>8)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := chart.Render(sample())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := chart.Render(sample())
	if !bytes.Equal(a, b) {
		t.Fatal("same input, different bytes")
	}
	other := sample()
	other.Clusters[4].Claimed = 150
	c, _ := chart.Render(other)
	if bytes.Equal(a, c) {
		t.Fatal("different input, same bytes")
	}
}

func TestRenderEmptyInput(t *testing.T) {
	t.Parallel()
	b, err := chart.Render(chart.Input{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRender(b *testing.B) {
	in := sample()
	for b.Loop() {
		if _, err := chart.Render(in); err != nil {
			b.Fatal(err)
		}
	}
}
