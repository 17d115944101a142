package chart_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/klabot/klabot/conversations/chart"
)

func sample() chart.Input {
	return chart.Input{
		Title:    "Kota Contoh · 23 November 2026",
		Headline: "Pratama · 540,2 poin",
		Subline:  "Ke Madya (601,0) kurang 60,8 poin berbukti",
		Scores:   []chart.Score{{"diklaim", 612.4}, {"berbukti", 540.2}, {"terverifikasi", 310}},
		Clusters: []chart.Bar{
			{Label: "Kelembagaan", Claimed: 80, Evidenced: 60, Max: 130},
			{Label: "Klaster I", Claimed: 100, Evidenced: 90, Max: 110},
			{Label: "Klaster II", Claimed: 50, Evidenced: 10, Max: 150},
			{Label: "Klaster III", Claimed: 200, Evidenced: 150, Max: 220},
			{Label: "Klaster IV", Claimed: 0, Evidenced: 0, Max: 200},
			{Label: "Klaster V", Claimed: 300, Evidenced: 190, Max: 190}, // over max: drawn full
		},
		Total:      chart.Bar{Label: "Total berbukti 540,2 dari 1.000", Claimed: 612.4, Evidenced: 540.2, Max: 1000},
		Thresholds: []chart.Threshold{{"Pratama", 500}, {"Madya", 601}, {"Nindya", 701}, {"Utama", 801}, {"KLA", 901}},
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// keep writes the picture under KLABOT_ARTIFACTS when set, to look at.
func keep(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("KLABOT_ARTIFACTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
}

func TestRenderIsAPNGOfTheRightSize(t *testing.T) {
	t.Parallel()
	b, err := chart.Render(sample())
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "chart-score.png", b)
	img := decode(t, b)
	if got := img.Bounds().Dx(); got != chart.Width || chart.Width != 800 {
		t.Fatalf("width %d, want 800", got)
	}
	if len(b) > 100<<10 {
		t.Errorf("PNG is %d bytes; should stay small for slow networks", len(b))
	}
	if chart.MinTextPx < 22 {
		t.Errorf("smallest text %d px, want at least 22 on 800 px", chart.MinTextPx)
	}
	// Some pixel of the picture is the evidenced dark blue and some the tier red.
	var blue, red bool
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			switch {
			case r>>8 == 25 && g>>8 == 97 && bl>>8 == 196:
				blue = true
			case r>>8 == 214 && g>>8 == 51 && bl>>8 == 32:
				red = true
			}
		}
	}
	if !blue || !red {
		t.Errorf("evidenced bars drawn %v, tier marks drawn %v", blue, red)
	}
}

// TestTextIsLargeEnough measures a drawn capital: at 22 px a Go font capital is about
// 16 px tall, far above the 9-pixel bitmap glyphs of the old chart.
func TestTextIsLargeEnough(t *testing.T) {
	t.Parallel()
	b, err := chart.RenderProgress(chart.ProgressInput{Title: "", Subtitle: "HHHH"})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	top, bottom := -1, -1
	for y := 55; y < 100; y++ { // the subtitle's line
		for x := 24; x < 120; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if r>>8 < 160 {
				if top < 0 {
					top = y
				}
				bottom = y
			}
		}
	}
	if top < 0 || bottom-top+1 < 15 {
		t.Fatalf("capital H is %d px tall (rows %d..%d), want ≥ 15", bottom-top+1, top, bottom)
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

// Pictures are drawn in parallel (a national digest round): each drawing has font faces
// of its own, so parallel drawings give the same bytes as one alone (and -race sees no
// shared face).
func TestRenderInParallelGivesTheSameBytes(t *testing.T) {
	t.Parallel()
	p := chart.ProgressInput{Title: "Siapa yang tertinggal", Subtitle: "per OPD",
		Rows: []chart.ProgressRow{{"DISDIK · Dinas Pendidikan", 3, 12}, {"DINKES · Dinas Kesehatan", 20, 20}}}
	want, err := chart.RenderDigest(sample(), p)
	if err != nil {
		t.Fatal(err)
	}
	got := make([][]byte, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = chart.RenderDigest(sample(), p)
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || !bytes.Equal(got[i], want) {
			t.Fatalf("drawing %d in parallel: %v, %d bytes, want the %d bytes of one alone", i, errs[i], len(got[i]), len(want))
		}
	}
}

func TestRenderEmptyInput(t *testing.T) {
	t.Parallel()
	for _, f := range []func() ([]byte, error){
		func() ([]byte, error) { return chart.Render(chart.Input{}) },
		func() ([]byte, error) { return chart.RenderProgress(chart.ProgressInput{}) },
	} {
		b, err := f()
		if err != nil {
			t.Fatal(err)
		}
		decode(t, b)
	}
}

func TestRenderProgress(t *testing.T) {
	t.Parallel()
	b, err := chart.RenderProgress(chart.ProgressInput{Title: "Siapa yang tertinggal — Kota Contoh", Subtitle: "Pertanyaan terjawab per OPD, 23 November 2026",
		Rows: []chart.ProgressRow{{"DISDIK · Dinas Pendidikan", 0, 12}, {"DINKES · Dinas Kesehatan", 5, 20}, {"BAPPEDA · Badan Perencanaan Pembangunan Daerah yang namanya panjang sekali", 9, 10}}})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "chart-opd.png", b)
	if img := decode(t, b); img.Bounds().Dx() != 800 {
		t.Fatalf("width %d", img.Bounds().Dx())
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
