package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/klabot/klabot/storage/evidencepack"
)

// TestExportCommand exports the worked example of docs/scoring.md: the workbook's totals
// are the numbers `klabot score` prints, and the evidence file the blob folder lacks is
// reported, not fatal.
func TestExportCommand(t *testing.T) {
	t.Parallel()
	app, out := scoreApp(t)
	app.cfg.EvidenceDir = t.TempDir()
	errb := app.Stderr.(*bytes.Buffer)
	path := filepath.Join(t.TempDir(), "paket", "bukti.zip")
	if err := run(context.Background(), app, []string{"export", "--region", "kota-contoh", "--out", path}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wrote " + path + ": 4 questions, 3 answered, 0 evidence files (0 B)",
		"points: claimed 615,0, evidenced 415,0, verified 240,0 of 1.000,0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errb.String(), "missing") || !strings.Contains(errb.String(), "1.1: perbup.pdf") {
		t.Errorf("stderr does not name the missing file:\n%s", errb)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var wb *excelize.File
	for _, f := range zr.File {
		if f.Name == evidencepack.WorkbookName {
			rc, _ := f.Open()
			wb, err = excelize.OpenReader(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if wb == nil {
		t.Fatal("no workbook in the pack")
	}
	rows, _ := wb.GetRows(evidencepack.SummarySheet)
	total := rows[len(rows)-1]
	col := func(name string) string { return total[slices.Index(evidencepack.Columns, name)] }
	if col("Poin klaim") != "615.00" || col("Poin berbukti") != "415.00" || col("Poin terverifikasi") != "240.00" {
		t.Errorf("workbook totals = %v", total)
	}
}

func TestExportCommandBadInput(t *testing.T) {
	t.Parallel()
	app, _ := scoreApp(t)
	app.cfg.EvidenceDir = t.TempDir()
	out := filepath.Join(t.TempDir(), "x.zip")
	var ue usageError
	for _, args := range [][]string{
		{"export", "--region", "KOTA-CONTOH"},
		{"export", "--out", out},
		{"export", "--region", "KOTA-CONTOH", "--out", out, "--year", "26"},
		{"export", "--bogus"},
	} {
		if err := run(context.Background(), app, args); !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if err := run(context.Background(), app, []string{"export", "--region", "NOWHERE", "--out", out}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown region: %v", err)
	}
	if err := run(context.Background(), app, []string{"export", "--region", "KOTA-CONTOH", "--year", "2030", "--out", out}); err == nil {
		t.Error("export of a year without instrument succeeded")
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*")); len(matches) != 0 {
		t.Errorf("failed exports left files: %v", matches)
	}
}
