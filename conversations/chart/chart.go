// Package chart draws the pictures of the digest and the web dashboard, readable on a
// phone: the score picture (tier and points to the next tier as the headline, the three
// scores, one bar per cluster labelled in points, the total on 0..max with the tier
// thresholds) and the OPD-progress picture ("who is behind"). Text is set in the Go
// TrueType fonts at 22 px or more on an 800 px wide picture. Pure Go, no I/O,
// deterministic: the same input gives the same bytes.
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/klabot/klabot/scoring"
)

// Width of every picture in pixels; the height follows from the content.
const Width = 800

// MinTextPx is the smallest text size used, in pixels.
const MinTextPx = 22

// Bar is one cluster (or the total): points claimed and evidenced out of Max.
type Bar struct {
	Label     string // "Klaster III", "Kelembagaan"
	Claimed   float64
	Evidenced float64
	Max       float64
}

// Threshold is a tier's lower bound on the total bar ("Pratama" at 500).
type Threshold struct {
	Label  string
	Points float64
}

// Score is one of the three scores.
type Score struct {
	Label  string // "diklaim", "berbukti", "terverifikasi"
	Points float64
}

// Input is everything the score picture shows.
type Input struct {
	Title    string // region and date
	Headline string // the tier and the headline score: "Pratama · 612,5 poin"
	Subline  string // points to the next tier: "Ke Madya (601,0) kurang 12,3 poin"
	Scores   []Score
	Clusters []Bar
	Total    Bar
	// Thresholds are the tiers' lower bounds, marked on the total bar.
	Thresholds []Threshold
}

// Colours.
var (
	white     = color.RGBA{255, 255, 255, 255}
	ink       = color.RGBA{33, 37, 41, 255}
	muted     = color.RGBA{90, 98, 106, 255}
	gridC     = color.RGBA{233, 236, 239, 255}
	claimedC  = color.RGBA{160, 196, 255, 255} // light blue: what OPDs say
	evidenceC = color.RGBA{25, 97, 196, 255}   // dark blue: what the evidence carries
	tierC     = color.RGBA{214, 51, 32, 255}   // tier thresholds: red
	behindC   = color.RGBA{230, 119, 0, 255}   // OPD progress: orange
	doneC     = color.RGBA{43, 138, 62, 255}   // OPD progress complete: green
)

// fonts are the two parsed fonts (read only, shared by every drawing).
type fontPair struct {
	reg, bold *opentype.Font
}

var fonts = loadFonts()

func loadFonts() fontPair {
	reg, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic(err) // the embedded Go font always parses
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		panic(err)
	}
	return fontPair{reg: reg, bold: bold}
}

// faceSet is one drawing's font faces by size and weight. A face is not safe for
// concurrent use, so each drawing takes a set of its own from facePool: pictures are
// drawn in parallel (the digests of 514 regions), and a face, once made, is reused by
// the next drawing that takes its set.
type faceSet struct {
	m      map[faceKey]font.Face
	blends []blendTable // by text colour
}

// blendTable is, for one text colour, the palette index of that colour at each coverage
// over each palette colour: [bg<<8 | coverage], noBlend until first needed.
type blendTable struct {
	fg  color.RGBA
	idx *[256 * 256]uint8
}

const noBlend = 255 // the palette has fewer colours

// blendsFor returns the blend table of fg (made on first use).
func (f *faceSet) blendsFor(fg color.RGBA) *[256 * 256]uint8 {
	for _, t := range f.blends {
		if t.fg == fg {
			return t.idx
		}
	}
	t := blendTable{fg: fg, idx: new([256 * 256]uint8)}
	for i := range t.idx {
		t.idx[i] = noBlend
	}
	f.blends = append(f.blends, t)
	return t.idx
}

// blendIndex is the palette index of fg at coverage a over the palette colour bg, blended
// as draw.DrawMask blends a uniform colour through an alpha mask (Over).
func blendIndex(fg color.RGBA, bg, a uint8) uint8 {
	const m = 1<<16 - 1
	b := palette[bg].(color.RGBA)
	ma := uint32(a) | uint32(a)<<8
	sa := uint32(fg.A) * 0x101
	inv := (m - (sa * ma / m)) * 0x101
	mix := func(d, s uint8) uint32 { return (uint32(d)*inv/m + uint32(s)*0x101*ma/m) >> 8 }
	return paletteIndex(mix(b.R, fg.R) | mix(b.G, fg.G)<<8 | mix(b.B, fg.B)<<16 | 0xff<<24)
}

type faceKey struct {
	px   float64
	bold bool
}

var facePool = sync.Pool{New: func() any {
	return &faceSet{m: map[faceKey]font.Face{}}
}}

func (f *faceSet) face(px float64, bold bool) font.Face {
	key := faceKey{px, bold}
	if fc, ok := f.m[key]; ok {
		return fc
	}
	src := fonts.reg
	if bold {
		src = fonts.bold
	}
	fc, err := opentype.NewFace(src, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err)
	}
	cf := &cachedFace{Face: fc, glyphs: map[glyphKey]glyph{}}
	f.m[key] = cf
	return cf
}

// cachedFace keeps the glyphs its face rasterised (x/image's opentype rasterises a glyph
// at every use): the same rune at the same sub-pixel offset is the same mask, moved.
type cachedFace struct {
	font.Face
	glyphs map[glyphKey]glyph
}

type glyphKey struct {
	r      rune
	fx, fy fixed.Int26_6 // the dot's fraction of a pixel
}

type glyph struct {
	dr   image.Rectangle // relative to the dot's whole pixel
	mask *image.Alpha    // a copy: the face reuses its buffer
	adv  fixed.Int26_6
	ok   bool
}

func (f *cachedFace) Glyph(dot fixed.Point26_6, r rune) (image.Rectangle, image.Image, image.Point, fixed.Int26_6, bool) {
	ix, iy := dot.X.Floor(), dot.Y.Floor()
	k := glyphKey{r: r, fx: dot.X - fixed.I(ix), fy: dot.Y - fixed.I(iy)}
	g, ok := f.glyphs[k]
	if !ok {
		dr, mask, maskp, adv, gok := f.Face.Glyph(fixed.Point26_6{X: k.fx, Y: k.fy}, r)
		g = glyph{dr: dr, adv: adv, ok: gok}
		if gok {
			g.mask = image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
			if mask != nil {
				draw.Draw(g.mask, g.mask.Bounds(), mask, maskp, draw.Src)
			}
		}
		f.glyphs[k] = g
	}
	if !g.ok {
		return image.Rectangle{}, nil, image.Point{}, g.adv, false
	}
	return g.dr.Add(image.Pt(ix, iy)), g.mask, image.Point{}, g.adv, true
}

// canvas is a picture being drawn, in palette indices (a paletted PNG encodes several
// times faster and smaller than RGBA), with the faces of its drawing.
type canvas struct {
	img   *image.Paletted
	faces *faceSet
}

// pixels recycles the canvases' pixel buffers: a national digest round draws 514
// pictures, and allocating and clearing each was a fifth of it.
var pixels sync.Pool

func newCanvas(faces *faceSet, h int) *canvas {
	n := Width * h
	var pix []byte
	if b, ok := pixels.Get().(*[]byte); ok && cap(*b) >= n {
		pix = (*b)[:n]
		clear(pix) // index 0 is white
	} else {
		pix = make([]byte, n)
	}
	return &canvas{img: &image.Paletted{Pix: pix, Stride: Width, Rect: image.Rect(0, 0, Width, h), Palette: palette}, faces: faces}
}

// view is the band of c from row y0, h rows high, as a canvas of its own (its rows start
// at 0) sharing c's pixels.
func (c *canvas) view(y0, h int) *canvas {
	off := c.img.PixOffset(0, y0)
	img := &image.Paletted{Pix: c.img.Pix[off : off+Width*h], Stride: c.img.Stride, Rect: image.Rect(0, 0, Width, h), Palette: palette}
	return &canvas{img: img, faces: c.faces}
}

// release gives c's pixels back for the next canvas; c is not used afterwards.
func (c *canvas) release() {
	pix := c.img.Pix[:0]
	c.img = nil
	pixels.Put(&pix)
}

func (c *canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	r := image.Rect(x0, y0, x1, y1).Intersect(c.img.Rect)
	if r.Empty() {
		return
	}
	idx := paletteIndex(rgbaWord(col))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := c.img.Pix[c.img.PixOffset(r.Min.X, y):c.img.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = idx
		}
	}
}

// rgbaWord is an opaque colour's bytes R, G, B, A as one little-endian word.
func rgbaWord(col color.Color) uint32 {
	c := color.RGBAModel.Convert(col).(color.RGBA)
	return uint32(c.R) | uint32(c.G)<<8 | uint32(c.B)<<16 | 0xff<<24
}

// text draws s with its top at y, cut to fit maxW pixels; align is 'l', 'r' or 'c'
// around x. It returns the drawn width.
func (c *canvas) text(x, y int, s string, px float64, bold bool, col color.Color, maxW int, align byte) int {
	face := c.faces.face(px, bold)
	s = fitText(face, s, maxW)
	w := font.MeasureString(face, s).Ceil()
	switch align {
	case 'r':
		x -= w
	case 'c':
		x -= w / 2
	}
	fg := color.RGBAModel.Convert(col).(color.RGBA)
	tab := c.faces.blendsFor(fg)
	dot := fixed.Point26_6{X: fixed.I(x), Y: fixed.I(y) + face.Metrics().Ascent}
	// As font.Drawer.DrawString, blending each glyph's coverage over what is below it
	// the way draw.DrawMask does (Over), then taking the nearest palette colour.
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 {
			dot.X += face.Kern(prev, r)
		}
		dr, mask, _, adv, _ := face.Glyph(dot, r)
		if m, ok := mask.(*image.Alpha); ok && !dr.Empty() {
			c.glyph(dr, m, fg, tab)
		}
		dot.X += adv
		prev = r
	}
	return w
}

// glyph blends the coverage mask (its origin at dr.Min) in fg over the canvas; tab is
// fg's blend table.
func (c *canvas) glyph(dr image.Rectangle, mask *image.Alpha, fg color.RGBA, tab *[256 * 256]uint8) {
	clip := dr.Intersect(c.img.Rect)
	for y := clip.Min.Y; y < clip.Max.Y; y++ {
		mrow := mask.Pix[mask.PixOffset(clip.Min.X-dr.Min.X, y-dr.Min.Y):]
		out := c.img.Pix[c.img.PixOffset(clip.Min.X, y):c.img.PixOffset(clip.Max.X, y)]
		for i := range out {
			if a := mrow[i]; a != 0 {
				k := int(out[i])<<8 | int(a)
				if tab[k] == noBlend {
					tab[k] = blendIndex(fg, out[i], a)
				}
				out[i] = tab[k]
			}
		}
	}
}

// fitText cuts s with "…" until it fits maxW pixels (no limit when maxW <= 0).
func fitText(face font.Face, s string, maxW int) string {
	if maxW <= 0 || font.MeasureString(face, s).Ceil() <= maxW {
		return s
	}
	r := []rune(s)
	for len(r) > 1 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ") + "…"
		if font.MeasureString(face, t).Ceil() <= maxW {
			return t
		}
	}
	return "…"
}

func (c *canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	// BestSpeed: flat colours compress well at any level, and the default level's match
	// search was half the time of a national digest round (514 pictures).
	err := (&png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: encoders}).Encode(&buf, c.img)
	c.release()
	if err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// palette holds the flat colours and eight blends of each text colour over each
// background: anti-aliased text keeps its edges, and a paletted PNG encodes several times
// faster and smaller than RGBA.
var palette = func() color.Palette {
	p := color.Palette{white, ink, muted, gridC, claimedC, evidenceC, tierC, behindC, doneC}
	for _, fg := range []color.RGBA{ink, muted, tierC, white} {
		for _, bg := range []color.RGBA{white, gridC, claimedC, evidenceC} {
			for k := 1; k < 8; k++ {
				p = append(p, blend(fg, bg, float64(k)/8))
			}
		}
	}
	return p
}()

func blend(fg, bg color.RGBA, a float64) color.RGBA {
	mix := func(f, b uint8) uint8 { return uint8(math.Round(float64(f)*a + float64(b)*(1-a))) }
	return color.RGBA{mix(fg.R, bg.R), mix(fg.G, bg.G), mix(fg.B, bg.B), 255}
}

// nearest remembers the palette index of every colour met so far, across pictures: the
// pictures use a few thousand colours (anti-aliased text over a few backgrounds), and
// finding the nearest palette colour takes a scan of the palette.
var nearest sync.Map // uint32 RGBA word -> uint8

func paletteIndex(key uint32) uint8 {
	if v, ok := nearest.Load(key); ok {
		return v.(uint8)
	}
	idx := uint8(palette.Index(color.RGBA{uint8(key), uint8(key >> 8), uint8(key >> 16), 255}))
	nearest.Store(key, idx)
	return idx
}

// encoders recycles the PNG encoder's buffers and compressor (1 MB each).
var encoders = &encoderPool{}

type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

// Text sizes in pixels.
const (
	pxTitle    = 26
	pxHeadline = 36
	pxBody     = 24
	pxSmall    = MinTextPx
	margin     = 24
)

// Render draws the score picture and encodes it as PNG.
func Render(in Input) ([]byte, error) {
	fs := facePool.Get().(*faceSet)
	defer facePool.Put(fs)
	c := newCanvas(fs, scoreHeight(in))
	drawScore(c, in)
	return c.png()
}

// RenderProgress draws the OPD-progress picture and encodes it as PNG.
func RenderProgress(in ProgressInput) ([]byte, error) {
	fs := facePool.Get().(*faceSet)
	defer facePool.Put(fs)
	c := newCanvas(fs, progressHeight(in))
	drawProgress(c, in)
	return c.png()
}

// RenderDigest draws the score picture with the OPD-progress picture below it, as one
// PNG: the digest sends one picture, not two.
func RenderDigest(in Input, p ProgressInput) ([]byte, error) {
	fs := facePool.Get().(*faceSet)
	defer facePool.Put(fs)
	ha, hb := scoreHeight(in), progressHeight(p)
	c := newCanvas(fs, ha+8+hb)
	drawScore(c.view(0, ha), in)
	c.rect(0, ha+3, Width, ha+5, gridC)
	drawProgress(c.view(ha+8, hb), p)
	return c.png()
}

const scoreRowH = 74

func scoreHeight(in Input) int {
	return 20 + 34 + 50 + 44 + 100 + 44 + len(in.Clusters)*scoreRowH + 170
}

// drawScore draws the score picture on c (scoreHeight rows, white).
func drawScore(c *canvas, in Input) {
	const rowH = scoreRowH
	right := Width - margin
	y := 20
	c.text(margin, y, in.Title, pxTitle, false, muted, right-margin, 'l')
	y += 34
	c.text(margin, y, in.Headline, pxHeadline, true, ink, right-margin, 'l')
	y += 50
	c.text(margin, y, in.Subline, pxBody, false, ink, right-margin, 'l')
	y += 44

	// The three scores side by side.
	if n := len(in.Scores); n > 0 {
		boxW := (right - margin - (n-1)*12) / n
		for i, s := range in.Scores {
			x := margin + i*(boxW+12)
			c.rect(x, y, x+boxW, y+84, gridC)
			c.text(x+boxW/2, y+8, s.Label, pxSmall, false, muted, boxW-12, 'c')
			c.text(x+boxW/2, y+38, formatPoints(s.Points), 34, true, ink, boxW-12, 'c')
		}
	}
	y += 100

	// Legend.
	x := margin
	c.rect(x, y+4, x+22, y+24, claimedC)
	x += 30 + c.text(x+30, y, "diklaim", pxSmall, false, ink, 0, 'l') + 24
	c.rect(x, y+4, x+22, y+24, evidenceC)
	x += 30 + c.text(x+30, y, "berbukti", pxSmall, false, ink, 0, 'l') + 24
	c.rect(x, y+2, x+4, y+26, tierC)
	c.text(x+12, y, "batas predikat", pxSmall, false, ink, 0, 'l')
	y += 44

	// One row per cluster: its name and points above a bar of 0..max.
	for _, b := range in.Clusters {
		label := fmt.Sprintf("%s / %s", formatPoints(b.Evidenced), formatMax(b.Max))
		lw := c.text(right, y, label, pxBody, true, ink, 0, 'r')
		c.text(right-lw-8, y+1, fmt.Sprintf("(diklaim %s)", formatPoints(b.Claimed)), pxSmall, false, muted, 0, 'r')
		c.text(margin, y, b.Label, pxBody, true, ink, 260, 'l')
		by := y + 34
		c.rect(margin, by, right, by+26, gridC)
		span := float64(right - margin)
		c.rect(margin, by, margin+int(math.Round(share(b.Claimed, b.Max)*span)), by+26, claimedC)
		c.rect(margin, by+6, margin+int(math.Round(share(b.Evidenced, b.Max)*span)), by+20, evidenceC)
		y += rowH
	}

	// The total on 0..max with the tier thresholds.
	y += 6
	c.text(margin, y, in.Total.Label, pxBody, true, ink, right-margin, 'l')
	by := y + 66
	c.rect(margin, by, right, by+34, gridC)
	if in.Total.Max > 0 {
		span := float64(right - margin)
		c.rect(margin, by, margin+int(math.Round(share(in.Total.Claimed, in.Total.Max)*span)), by+34, claimedC)
		c.rect(margin, by+8, margin+int(math.Round(share(in.Total.Evidenced, in.Total.Max)*span)), by+26, evidenceC)
		for i, t := range in.Thresholds {
			tx := margin + int(math.Round(share(t.Points, in.Total.Max)*span))
			c.rect(tx-2, by-6, tx+2, by+40, tierC)
			// Names alternate above and below the bar so neighbours never overlap.
			ly := by - 32
			if i%2 == 1 {
				ly = by + 44
			}
			c.text(tx, ly, t.Label, pxSmall, true, tierC, 150, 'c')
		}
	}
}

// ProgressRow is one OPD in the progress picture.
type ProgressRow struct {
	Label           string // the OPD's code or short name
	Answered, Total int
}

// ProgressInput is the OPD-progress picture: the OPDs with the fewest answers first.
type ProgressInput struct {
	Title    string // "Siapa yang tertinggal — Kota Contoh"
	Subtitle string // the date
	Rows     []ProgressRow
}

const progressRowH = 66

func progressHeight(in ProgressInput) int {
	h := 20 + 40 + 40 + len(in.Rows)*progressRowH + 24
	if len(in.Rows) == 0 {
		h += 40
	}
	return h
}

// drawProgress draws the OPD-progress picture on c (progressHeight rows, white).
func drawProgress(c *canvas, in ProgressInput) {
	const rowH = progressRowH
	right := Width - margin
	y := 20
	c.text(margin, y, in.Title, 30, true, ink, right-margin, 'l')
	y += 40
	c.text(margin, y, in.Subtitle, pxSmall, false, muted, right-margin, 'l')
	y += 40
	if len(in.Rows) == 0 {
		c.text(margin, y, "Semua OPD sudah menjawab semua pertanyaannya.", pxBody, false, ink, right-margin, 'l')
	}
	for _, r := range in.Rows {
		sh := 1.0
		if r.Total > 0 {
			sh = float64(r.Answered) / float64(r.Total)
		}
		label := fmt.Sprintf("%d dari %d (%d%%)", r.Answered, r.Total, int(math.Round(100*sh)))
		lw := c.text(right, y, label, pxBody, true, ink, 0, 'r')
		c.text(margin, y, r.Label, pxBody, true, ink, right-margin-lw-16, 'l')
		by := y + 32
		c.rect(margin, by, right, by+22, gridC)
		col := behindC
		if r.Answered >= r.Total {
			col = doneC
		}
		c.rect(margin, by, margin+int(math.Round(sh*float64(right-margin))), by+22, col)
		y += rowH
	}
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

// formatPoints writes points with one decimal and Indonesian separators: 1.234,5.
func formatPoints(v float64) string { return scoring.FormatPoints(v) }

// formatMax writes a maximum without a useless ",0": 200, 1.000, 66,7.
func formatMax(v float64) string { return strings.TrimSuffix(formatPoints(v), ",0") }
