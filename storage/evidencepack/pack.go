// Package evidencepack writes a region's evidence pack: one ZIP with a folder per
// cluster / indicator / question holding the evidence files under their original (made
// safe) names, the workbook ringkasan.xlsx with one row per question, and BACA-SAYA.txt.
// It streams: file contents go from the blob store into the ZIP through a small buffer,
// so memory stays flat however many files a region has.
package evidencepack

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
)

// Blobs opens evidence files by their blob key (the sha256 of the content). A missing
// file is an error matching fs.ErrNotExist or conversations.ErrNotFound (storage/blob's
// Local is one).
type Blobs interface {
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// Points are one question's points in the three scores, and its maximum.
type Points struct {
	Max, Claimed, Evidenced, Verified float64
}

// Input is everything a pack holds except file contents.
type Input struct {
	Region     conversations.Region
	Instrument *scoring.Instrument
	// Answers are the region's current answers by question code, with their evidence
	// and review state (as the review store returns them).
	Answers map[string]review.Item
	// Points by question code; a missing question has zero points.
	Points map[string]Points
	// GeneratedAt is printed in BACA-SAYA.txt and the workbook.
	GeneratedAt time.Time
}

// Summary says what a pack holds.
type Summary struct {
	Questions int
	Answered  int
	Files     int
	Bytes     int64    // evidence bytes written (uncompressed)
	Missing   []string // evidence files the blob store did not have, as "code: name"
	Points    Points   // totals
}

// Names of the fixed files at the root of the pack.
const (
	WorkbookName = "ringkasan.xlsx"
	ReadmeName   = "BACA-SAYA.txt"
)

// row is one question of the pack with the names its files got inside the ZIP.
type row struct {
	number  int
	cluster scoring.Cluster
	ind     scoring.Indicator
	q       scoring.Question
	answer  *review.Item
	points  Points
	files   []string // paths inside the ZIP
	missing []string
	folder  string
}

// Write streams the pack of in to w, reading evidence through blobs. It returns what the
// pack holds; files missing from the blob store are listed, not fatal.
func Write(ctx context.Context, w io.Writer, in Input, blobs Blobs) (Summary, error) {
	var sum Summary
	if in.Instrument == nil {
		return sum, fmt.Errorf("evidence pack: no instrument: %w", conversations.ErrInvalid)
	}
	loc := in.Region.Location()
	zw := zip.NewWriter(w)
	rows := layout(in)
	buf := make([]byte, 64<<10)
	for i := range rows {
		r := &rows[i]
		sum.Questions++
		sum.Points.Max += r.points.Max
		sum.Points.Claimed += r.points.Claimed
		sum.Points.Evidenced += r.points.Evidenced
		sum.Points.Verified += r.points.Verified
		if r.answer == nil {
			continue
		}
		sum.Answered++
		names := newFolder()
		seen := map[string]bool{}
		for _, f := range r.answer.Evidence {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
			if dup := f.BlobKey + "\x00" + f.Name; seen[dup] {
				continue // the same file sent twice under the same name
			} else {
				seen[dup] = true
			}
			name := names.unique(SafeName(f.Name, "berkas"+extFor(f.MIME), maxNameRunes), maxNameRunes)
			n, err := copyFile(ctx, zw, blobs, r.folder+"/"+name, f, loc, buf)
			if missing(err) {
				r.missing = append(r.missing, f.Name)
				sum.Missing = append(sum.Missing, r.q.Code+": "+f.Name)
				continue
			}
			if err != nil {
				return sum, fmt.Errorf("evidence pack: %s %q: %w", r.q.Code, f.Name, err)
			}
			r.files = append(r.files, r.folder+"/"+name)
			sum.Files++
			sum.Bytes += n
		}
	}
	if err := writeWorkbook(zw, in, rows, loc); err != nil {
		return sum, fmt.Errorf("evidence pack: %s: %w", WorkbookName, err)
	}
	if err := writeReadme(zw, in, sum, loc); err != nil {
		return sum, fmt.Errorf("evidence pack: %s: %w", ReadmeName, err)
	}
	if err := zw.Close(); err != nil {
		return sum, fmt.Errorf("evidence pack: %w", err)
	}
	return sum, nil
}

// WriteWorkbook writes ringkasan.xlsx of in alone to w: the same rows as in the pack,
// with the paths the evidence files get inside the pack's ZIP.
func WriteWorkbook(ctx context.Context, w io.Writer, in Input) error {
	if in.Instrument == nil {
		return fmt.Errorf("workbook: no instrument: %w", conversations.ErrInvalid)
	}
	rows := layout(in)
	for i := range rows {
		r := &rows[i]
		if r.answer == nil {
			continue
		}
		names := newFolder()
		seen := map[string]bool{}
		for _, f := range r.answer.Evidence {
			if dup := f.BlobKey + "\x00" + f.Name; seen[dup] {
				continue
			} else {
				seen[dup] = true
			}
			name := names.unique(SafeName(f.Name, "berkas"+extFor(f.MIME), maxNameRunes), maxNameRunes)
			r.files = append(r.files, r.folder+"/"+name)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeWorkbookTo(w, in, rows, in.Region.Location()); err != nil {
		return fmt.Errorf("%s: %w", WorkbookName, err)
	}
	return nil
}

// layout lists the instrument's questions in order with their answers, points and folders.
// Folder names are unique per level, so two indicators with the same shortened name never
// share a folder.
func layout(in Input) []row {
	var rows []row
	clusters := newFolder()
	n := 0
	for _, c := range in.Instrument.Clusters {
		cname := c.Name
		if cname == "" {
			cname = scoring.ClusterNames[c.Code]
		}
		cdir := clusters.unique(SafeName(cname, "Klaster "+c.Code, 60), 60)
		indicators := newFolder()
		for _, ind := range c.Indicators {
			idir := indicators.unique(SafeName("Indikator "+padCode(ind.Code)+" "+ind.Name, "Indikator", 60), 60)
			questions := newFolder()
			for _, q := range ind.Questions {
				n++
				qdir := questions.unique(SafeName(q.Code+" "+strings.TrimRight(q.Text, "?. "), "Pertanyaan", 50), 50)
				r := row{number: n, cluster: c, ind: ind, q: q, points: in.Points[q.Code],
					folder: cdir + "/" + idir + "/" + qdir}
				if a, ok := in.Answers[q.Code]; ok {
					r.answer = &a
				}
				rows = append(rows, r)
			}
		}
	}
	return rows
}

// padCode writes one-digit indicator numbers as "04" so folders sort in order.
func padCode(code string) string {
	if len(code) == 1 && code[0] >= '0' && code[0] <= '9' {
		return "0" + code
	}
	return code
}

// missing reports whether the blob store does not have a file (or the key is not even a
// valid one): the pack lists it and goes on.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, conversations.ErrNotFound) ||
		errors.Is(err, conversations.ErrInvalid)
}

// copyFile streams one blob into a new ZIP entry and returns the bytes copied.
func copyFile(ctx context.Context, zw *zip.Writer, blobs Blobs, name string, f review.File, loc *time.Location, buf []byte) (int64, error) {
	rc, err := blobs.Open(ctx, f.BlobKey)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	h := &zip.FileHeader{Name: name, Method: method(f.MIME, name)}
	if !f.At.IsZero() {
		h.Modified = f.At.In(loc)
	}
	dst, err := zw.CreateHeader(h)
	if err != nil {
		return 0, err
	}
	// Hide the reader's WriteTo (an *os.File has one) so the copy uses buf instead of a
	// fresh 32 KB buffer per file.
	return io.CopyBuffer(dst, struct{ io.Reader }{rc}, buf)
}

// method stores formats that are compressed already (photos, PDF, Office files) and
// deflates the rest: compressing a JPEG again costs CPU and saves nothing.
func method(mime, name string) uint16 {
	switch {
	case strings.HasPrefix(mime, "image/jpeg"), strings.HasPrefix(mime, "image/png"),
		strings.HasPrefix(mime, "image/webp"), strings.HasPrefix(mime, "application/pdf"),
		strings.Contains(mime, "openxmlformats"), strings.HasPrefix(mime, "application/zip"):
		return zip.Store
	}
	switch strings.ToLower(pathExt(name)) {
	case ".jpg", ".jpeg", ".png", ".webp", ".pdf", ".docx", ".xlsx", ".zip":
		return zip.Store
	}
	return zip.Deflate
}

func pathExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// extFor gives a file with no usable name an extension from its type.
func extFor(mime string) string {
	switch {
	case strings.HasPrefix(mime, "image/jpeg"):
		return ".jpg"
	case strings.HasPrefix(mime, "image/png"):
		return ".png"
	case strings.HasPrefix(mime, "image/webp"):
		return ".webp"
	case strings.HasPrefix(mime, "application/pdf"):
		return ".pdf"
	case strings.Contains(mime, "wordprocessingml"):
		return ".docx"
	case strings.Contains(mime, "spreadsheetml"):
		return ".xlsx"
	case mime == "application/msword":
		return ".doc"
	case mime == "application/vnd.ms-excel":
		return ".xls"
	}
	return ""
}
