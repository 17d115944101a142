// Package chart draws the digest's picture: one PNG, readable on a phone, with a bar pair
// per cluster (claimed vs evidenced, as a share of the cluster's maximum) and the total
// score on a 0..max bar with the tier thresholds marked. Pure Go (image/png and the
// basicfont bitmap font), no I/O, deterministic: the same input gives the same bytes.
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Size of the picture in pixels: wide enough for six clusters, small enough to load on a
// slow network (a few KB as PNG).
const (
	Width  = 800
	Height = 500
)

// Bar is one cluster (or the total): points claimed and evidenced out of Max.
type Bar struct {
	Label     string // short ASCII label under the bar ("I", "II", "KLMB")
	Claimed   float64
	Evidenced float64
	Max       float64
}

// Threshold is a tier's lower bound on the total bar ("P" at 500).
type Threshold struct {
	Label  string
	Points float64
}

// Input is everything the chart shows.
type Input struct {
	Title      string // ASCII; one line, cut to fit
	Clusters   []Bar
	Total      Bar
	Thresholds []Threshold
}

// The picture is paletted: six colours encode small and fast (a few ms, a few KB).
var palette = color.Palette{
	color.RGBA{255, 255, 255, 255}, // white
	color.RGBA{33, 37, 41, 255},    // ink
	color.RGBA{222, 226, 230, 255}, // grid
	color.RGBA{160, 196, 255, 255}, // claimed: light blue, what OPDs say
	color.RGBA{25, 97, 196, 255},   // evidenced: dark blue, what the evidence carries
	color.RGBA{214, 51, 32, 255},   // tier thresholds: red
}

// Colour indexes into palette.
const (
	white uint8 = iota
	ink
	grid
	claimedC
	evidenceC
	tierC
)

// Render draws in and encodes it as PNG.
func Render(in Input) ([]byte, error) {
	img := image.NewPaletted(image.Rect(0, 0, Width, Height), palette) // all white (index 0)

	drawText(img, 20, 14, fit(in.Title, (Width-40)/charW(2)), ink, 2)
	legend(img, 20, 50)

	// Cluster panel: percentage of each cluster's maximum.
	top, bottom, left, right := 100, 330, 70, Width-20
	for _, pct := range []int{0, 25, 50, 75, 100} {
		y := bottom - (bottom-top)*pct/100
		fillRect(img, left, y, right, y+1, grid)
		label := fmt.Sprintf("%d%%", pct)
		drawText(img, left-8-len(label)*charW(1), y-6, label, ink, 1)
	}
	if n := len(in.Clusters); n > 0 {
		slot := (right - left) / n
		barW := slot * 3 / 10
		for i, b := range in.Clusters {
			x := left + i*slot + slot/2
			hc := share(b.Claimed, b.Max) * float64(bottom-top)
			he := share(b.Evidenced, b.Max) * float64(bottom-top)
			fillRect(img, x-barW-2, bottom-int(math.Round(hc)), x-2, bottom, claimedC)
			fillRect(img, x+2, bottom-int(math.Round(he)), x+barW+2, bottom, evidenceC)
			pc := fmt.Sprintf("%d", int(math.Round(100*share(b.Claimed, b.Max))))
			pe := fmt.Sprintf("%d", int(math.Round(100*share(b.Evidenced, b.Max))))
			drawText(img, x-2-barW/2-len(pc)*charW(1)/2, bottom-int(math.Round(hc))-15, pc, ink, 1)
			drawText(img, x+2+barW/2-len(pe)*charW(1)/2, bottom-int(math.Round(he))-15, pe, ink, 1)
			l := fit(b.Label, slot/charW(2))
			drawText(img, x-len(l)*charW(2)/2, bottom+8, l, ink, 2)
		}
	}
	fillRect(img, left, bottom, right, bottom+2, ink)

	// Total panel: the score on 0..Max with the tier thresholds.
	ty, th := 400, 36
	fillRect(img, left, ty, right, ty+th, grid)
	span := float64(right - left)
	if in.Total.Max > 0 {
		wc := int(math.Round(share(in.Total.Claimed, in.Total.Max) * span))
		we := int(math.Round(share(in.Total.Evidenced, in.Total.Max) * span))
		fillRect(img, left, ty, left+wc, ty+th/2, claimedC)
		fillRect(img, left, ty+th/2, left+we, ty+th, evidenceC)
		for _, t := range in.Thresholds {
			x := left + int(math.Round(share(t.Points, in.Total.Max)*span))
			fillRect(img, x-1, ty-8, x+1, ty+th+8, tierC)
			l := fit(t.Label, 8)
			drawText(img, x-len(l)*charW(1)/2, ty+th+12, l, tierC, 1)
			v := fmt.Sprintf("%g", t.Points)
			drawText(img, x-len(v)*charW(1)/2, ty-24, v, tierC, 1)
		}
	}
	drawText(img, 10, ty+4, "0", ink, 1)
	drawText(img, 20, ty+th+30, fit(in.Total.Label, (Width-40)/charW(2)), ink, 2)

	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

func legend(img *image.Paletted, x, y int) {
	fillRect(img, x, y+3, x+20, y+19, claimedC)
	drawText(img, x+28, y, "diklaim", ink, 2)
	x += 28 + 8*charW(2) + 20
	fillRect(img, x, y+3, x+20, y+19, evidenceC)
	drawText(img, x+28, y, "berbukti", ink, 2)
	x += 28 + 9*charW(2) + 20
	fillRect(img, x, y+1, x+3, y+21, tierC)
	drawText(img, x+12, y, "batas predikat", ink, 2)
}

// share is v/max clamped to 0..1 (0 when max is 0).
func share(v, max float64) float64 {
	if max <= 0 || v <= 0 || math.IsNaN(v) {
		return 0
	}
	if v >= max {
		return 1
	}
	return v / max
}

// fillRect paints the rectangle [x0,x1)×[y0,y1), clipped to the picture.
func fillRect(img *image.Paletted, x0, y0, x1, y1 int, c uint8) {
	r := image.Rect(x0, y0, x1, y1).Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = c
		}
	}
}

// charW is the advance of one basicfont character at the given scale.
func charW(scale int) int { return 7 * scale }

// fit cuts s to at most n runes, marking the cut with "..".
func fit(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 3 {
		return s
	}
	return string(r[:n-2]) + ".."
}

// drawText draws s with its top-left corner at (x, y), each font pixel scale×scale.
// basicfont is a 7×13 bitmap font: scaling it by whole pixels keeps it crisp.
func drawText(dst *image.Paletted, x, y int, s string, c uint8, scale int) {
	face := basicfont.Face7x13
	w := len([]rune(s)) * 7
	if w == 0 {
		return
	}
	mask := image.NewAlpha(image.Rect(0, 0, w, 13))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(0, face.Ascent)}
	d.DrawString(s)
	for my := 0; my < 13; my++ {
		for mx := 0; mx < w; mx++ {
			if mask.AlphaAt(mx, my).A < 128 {
				continue
			}
			fillRect(dst, x+mx*scale, y+my*scale, x+(mx+1)*scale, y+(my+1)*scale, c)
		}
	}
}
