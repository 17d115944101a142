package whatsapp

import (
	"bytes"
	"image"
	"image/jpeg"
	_ "image/png" // digest charts are rendered as PNG

	"golang.org/x/image/draw"
)

// picture is an image re-encoded the way WhatsApp's phones preview it: a JPEG, its
// dimensions, and a small JPEG thumbnail shown before the full picture is downloaded.
type picture struct {
	jpeg          []byte
	width, height int
	thumb         []byte
}

// thumbSide is the longest side of the thumbnail, like WhatsApp's own (about 100 px).
const thumbSide = 96

// toJPEG decodes a PNG or JPEG and re-encodes it as a JPEG (white under transparency),
// with a thumbnail.
func toJPEG(data []byte) (*picture, error) {
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	full := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(full, full.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(full, full.Bounds(), src, b.Min, draw.Over)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, full, &jpeg.Options{Quality: 88}); err != nil {
		return nil, err
	}
	tw, th := thumbSide, thumbSide
	if b.Dx() >= b.Dy() {
		th = max(1, b.Dy()*thumbSide/max(1, b.Dx()))
	} else {
		tw = max(1, b.Dx()*thumbSide/max(1, b.Dy()))
	}
	small := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.CatmullRom.Scale(small, small.Bounds(), full, full.Bounds(), draw.Src, nil)
	var thumb bytes.Buffer
	if err := jpeg.Encode(&thumb, small, &jpeg.Options{Quality: 60}); err != nil {
		return nil, err
	}
	return &picture{jpeg: out.Bytes(), width: b.Dx(), height: b.Dy(), thumb: thumb.Bytes()}, nil
}
