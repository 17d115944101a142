package web

import (
	"net/http"

	"github.com/klabot/klabot/conversations/chart"
)

// chartPNG is the overview's score picture: the same picture as the digest's.
func (s *Server) chartPNG(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadRegion(r.Context(), r)
	if err != nil {
		s.regionError(w, r, err)
		return
	}
	b, err := chart.Render(chart.FromReport(d.Region.Name+" · "+date(d.Score.At, d.Loc), d.Score.Report))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePNG(w, b)
}

// opdChartPNG is the "who is behind" picture of the OPD page.
func (s *Server) opdChartPNG(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadRegion(r.Context(), r)
	if err != nil {
		s.regionError(w, r, err)
		return
	}
	b, err := chart.RenderProgress(chart.ProgressFromReport("Siapa yang tertinggal — "+d.Region.Name,
		"Pertanyaan terjawab per OPD, "+date(d.Score.At, d.Loc), d.Score.Report))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePNG(w, b)
}

func writePNG(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Write(b) //nolint:errcheck
}
