package review

import (
	"context"
	"io"
	"time"

	"github.com/klabot/klabot/conversations"
)

// ExportResult describes an evidence pack written to disk.
type ExportResult struct {
	Path      string // where the ZIP was written
	Name      string // its file name, for an attachment
	Size      int64  // bytes
	Questions int
	Answered  int
	Files     int // evidence files in the pack
	Missing   int // evidence files the blob store did not have
	// Open reads the written ZIP (to send it as an attachment).
	Open func() (io.ReadCloser, error) `json:"-"`
}

// Exporter writes a region's evidence pack (storage/evidencepack). year 0 means the
// region's year in progress.
type Exporter interface {
	Export(ctx context.Context, region string, year int) (ExportResult, error)
	// Summarize counts what the pack would hold, without writing it (Path and Open
	// stay empty; Size is the evidence bytes before packing).
	Summarize(ctx context.Context, region string, year int) (ExportResult, error)
}

// Downloads makes the expiring download links ekspor answers with (bot/web.Links):
// target is TargetPack or TargetWorkbook, name the file name the browser saves.
type Downloads interface {
	Download(ctx context.Context, p conversations.Person, target string, year int, name string) (string, time.Time, error)
}

// Download targets, as the web dashboard names them.
const (
	TargetPack     = "pack"
	TargetWorkbook = "workbook"
)
