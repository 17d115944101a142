package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// evidence serves one evidence file of the viewer's region: pictures and PDFs inline
// (?unduh=1 downloads them), everything else as a download.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	f, err := s.d.Store.EvidenceFile(ctx, v.RegionCode, id)
	if errIs(err, errNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rc, err := s.d.Blobs.Open(ctx, f.BlobKey)
	if err != nil {
		s.cfg.Log.Warn("web evidence missing from the blob store", "evidence", id, "err", err)
		s.page(w, r, http.StatusNotFound, "pesan", msgPage{Title: "Berkas tidak ditemukan",
			Text: "Berkas bukti ini tercatat, tetapi isinya tidak ada di penyimpanan. Minta OPD mengirim ulang."})
		return
	}
	defer rc.Close()
	kind := fileKind(f.MIME)
	h := w.Header()
	disp := "attachment"
	if kind != "file" && r.URL.Query().Get("unduh") != "1" {
		disp = "inline"
		h.Set("Content-Type", strings.ToLower(f.MIME))
	} else {
		h.Set("Content-Type", "application/octet-stream")
	}
	if kind == "pdf" {
		// The browser's PDF viewer loads its own resources, which the pages' policy
		// would block; nosniff keeps the file from ever being read as HTML.
		h.Del("Content-Security-Policy")
	}
	h.Set("Content-Disposition", contentDisposition(disp, f.Name))
	h.Set("Cache-Control", "private, max-age=300")
	if f.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	}
	if _, err := io.Copy(w, rc); err != nil {
		s.cfg.Log.Warn("web evidence copy", "evidence", id, "err", err)
	}
}

// contentDisposition names a file for the browser, with its UTF-8 name (RFC 6266).
func contentDisposition(kind, name string) string {
	return fmt.Sprintf("%s; filename=%q; filename*=UTF-8''%s", kind, safeFileName(name), url.PathEscape(name))
}

type downloadsView struct {
	Region, RegionName   string
	Year                 int
	Questions, Answered  int
	Files                int
	Bytes                string
	PackURL, WorkbookURL string
}

func (s *Server) downloads(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerFrom(ctx)
	reg, err := s.d.Store.Region(ctx, v.RegionCode)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year := s.year(r, reg.Year)
	answers, err := s.d.Store.RegionAnswers(ctx, reg.Code, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dv := downloadsView{Region: reg.Code, RegionName: reg.Name, Year: year, Answered: len(answers)}
	var bytes int64
	for _, a := range answers {
		dv.Files += len(a.Evidence)
		for _, f := range a.Evidence {
			bytes += f.Size
		}
	}
	dv.Bytes = size(bytes)
	base := "/r/" + url.PathEscape(reg.Code) + "/unduh/"
	dv.PackURL = base + PackName(reg.Code, year) + "?tahun=" + strconv.Itoa(year)
	dv.WorkbookURL = base + WorkbookName(reg.Code, year) + "?tahun=" + strconv.Itoa(year)
	s.render(w, r, http.StatusOK, "unduh", frame{Title: "Unduhan", Nav: "unduh", Data: dv})
}

// PackName is the evidence pack's file name.
func PackName(region string, year int) string {
	return safeFileName(fmt.Sprintf("bukti-KLA-%s-%d.zip", region, year))
}

// WorkbookName is the workbook's file name.
func WorkbookName(region string, year int) string {
	return safeFileName(fmt.Sprintf("ringkasan-KLA-%s-%d.xlsx", region, year))
}

// download streams the pack or the workbook of the viewer's region.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	reg, err := s.d.Store.Region(r.Context(), v.RegionCode)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year := s.year(r, reg.Year)
	switch name := r.PathValue("name"); {
	case strings.HasSuffix(name, ".zip"):
		s.stream(w, r, TargetPack, reg.Code, year)
	case strings.HasSuffix(name, ".xlsx"):
		s.stream(w, r, TargetWorkbook, reg.Code, year)
	default:
		s.notFound(w, r)
	}
}

// downloadByLink serves a download link from the chat (`ekspor`): no session needed,
// the link itself is the key; it expires, and it opens only its person's region, while
// that person may still use the dashboard.
func (s *Server) downloadByLink(w http.ResponseWriter, r *http.Request) {
	p, target, err := s.d.Store.DownloadLink(r.Context(), hashToken(r.PathValue("token")))
	switch {
	case errIs(err, errNotFound):
		s.notFound(w, r)
		return
	case errIs(err, errExpired):
		s.page(w, r, http.StatusGone, "pesan", msgPage{Title: "Tautan unduhan kedaluwarsa",
			Text: "Tautan unduhan berlaku 24 jam. Ketik ekspor di chat klabot untuk tautan baru, atau unduh dari dasbor."})
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if !MayUse(p) {
		s.notFound(w, r)
		return
	}
	kind, yearText, _ := strings.Cut(target, ":")
	year, err := strconv.Atoi(yearText)
	if err != nil || (kind != TargetPack && kind != TargetWorkbook) {
		s.notFound(w, r)
		return
	}
	s.stream(w, r, kind, p.RegionCode, year)
}

// stream writes a pack or workbook as it is made: a pack of any size never sits in
// memory or on disk. A failure after the first byte aborts the connection, so the
// browser reports a failed download instead of saving a cut ZIP.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, kind, region string, year int) {
	if s.d.Pack == nil {
		s.page(w, r, http.StatusServiceUnavailable, "pesan", msgPage{Title: "Unduhan belum tersedia", Text: "Ekspor belum disiapkan di server ini."})
		return
	}
	var name, mime string
	var write func(ctx context.Context, w io.Writer, region string, year int) error
	if kind == TargetPack {
		name, mime, write = PackName(region, year), "application/zip", s.d.Pack.WritePack
	} else {
		name, mime, write = WorkbookName(region, year), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", s.d.Pack.WriteWorkbook
	}
	h := w.Header()
	h.Set("Content-Type", mime)
	h.Set("Content-Disposition", contentDisposition("attachment", name))
	cw := &countingWriter{w: w}
	err := write(r.Context(), cw, region, year)
	if err == nil {
		return
	}
	if cw.n == 0 {
		h.Del("Content-Disposition")
		if errIs(err, errNotFound) {
			s.regionError(w, r, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.cfg.Log.Error("web download cut", "region", region, "year", year, "kind", kind, "bytes", cw.n, "err", err)
	panic(http.ErrAbortHandler)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
