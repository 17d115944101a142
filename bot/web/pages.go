package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

//go:embed templates/*.html static/app.css
var files embed.FS

// pages are the parsed templates: one per page, each with the shared layout.
type pages struct {
	byName map[string]*template.Template
	css    []byte
}

var pageNames = []string{"pesan", "masuk", "ringkasan", "opd", "pertanyaan", "detail", "unduh"}

func parsePages() (*pages, error) {
	funcs := template.FuncMap{
		"points": points, "signed": signedPoints, "size": size, "pct": percent,
		"stateLabel": stateLabel,
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range pageNames {
		t, err := template.New(n).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		p.byName[n] = t
	}
	css, err := files.ReadFile("static/app.css")
	if err != nil {
		return nil, err
	}
	// Bar widths as classes: the page policy allows no inline styles.
	var b bytes.Buffer
	b.Write(css)
	for i := 0; i <= 100; i++ {
		fmt.Fprintf(&b, ".w%d{width:%d%%}", i, i)
	}
	p.css = b.Bytes()
	return p, nil
}

// frame is what the layout needs besides the page's own data.
type frame struct {
	Title  string
	Viewer *viewer
	Nav    string // the active tab
	Data   any
}

// Viewer helpers for templates.
func (v *viewer) Name() string     { return v.Person.Name }
func (v *viewer) CSRF() string     { return v.csrf }
func (v *viewer) Region() string   { return v.RegionCode }
func (v *viewer) Reviewer() bool   { return MayReview(v.Person) }
func (v *viewer) RoleName() string { return roleName(string(v.Role)) }

func roleName(r string) string {
	switch r {
	case "coordinator":
		return "koordinator"
	case "head":
		return "pimpinan"
	case "admin":
		return "admin"
	}
	return r
}

// msgPage is a page with a title and a sentence (errors, expired links).
type msgPage struct {
	Title, Text    string
	Link, LinkText string
}

// page renders a page into a buffer first, so a template error never sends half a page.
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	title := ""
	if m, ok := data.(msgPage); ok {
		title = m.Title
	}
	s.render(w, r, status, name, frame{Title: title, Data: data})
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, f frame) {
	if v := viewerFrom(r.Context()); v.ID != 0 && f.Viewer == nil {
		f.Viewer = &v
	}
	var buf bytes.Buffer
	if err := s.pages.byName[name].ExecuteTemplate(&buf, "layout", f); err != nil {
		s.cfg.Log.Error("web template", "page", name, "err", err)
		http.Error(w, "Maaf, halaman gagal dibuat.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client left
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.page(w, r, http.StatusNotFound, "pesan", msgPage{Title: "Halaman tidak ditemukan",
		Text: "Halaman ini tidak ada, atau bukan bagian dari daerah Anda."})
}

func (s *Server) needLogin(w http.ResponseWriter, r *http.Request) {
	s.page(w, r, http.StatusUnauthorized, "pesan", msgPage{Title: "Silakan masuk",
		Text: "Untuk membuka dasbor, ketik dasbor di chat klabot (Telegram, WhatsApp). Anda akan menerima tautan masuk yang berlaku 15 menit."})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	// The route pattern, not the path: login and download paths carry secret tokens.
	s.cfg.Log.Error("web request failed", "route", r.Pattern, "err", err)
	s.page(w, r, http.StatusInternalServerError, "pesan", msgPage{Title: "Maaf, terjadi gangguan",
		Text: "Halaman tidak dapat dimuat sekarang. Coba lagi sebentar lagi."})
}

func (s *Server) css(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(s.pages.css) //nolint:errcheck
}

// home sends a logged-in person to their region, everyone else to the login hint.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if p, err := s.d.Store.WebSession(r.Context(), hashToken(c.Value), s.cfg.IdleTimeout); err == nil && MayUse(p) {
			http.Redirect(w, r, "/r/"+url.PathEscape(p.RegionCode)+"/", http.StatusSeeOther)
			return
		}
	}
	s.needLogin(w, r)
}

// loginPage shows a button that redeems the link. Opening the link does not use it: chat
// apps fetch links for their previews, and that must not spend a one-time link.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "masuk", frame{Title: "Masuk ke dasbor", Data: map[string]string{"Token": r.PathValue("token")}})
}

func (s *Server) linkGone(w http.ResponseWriter, r *http.Request, status int, title string) {
	s.page(w, r, status, "pesan", msgPage{Title: title,
		Text: "Tautan masuk hanya bisa dipakai sekali dan berlaku 15 menit. Ketik dasbor di chat klabot untuk mendapat tautan baru."})
}

// login redeems a login link, starts the session and opens the person's region.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.limit.allow(clientAddr(r)) {
		w.Header().Set("Retry-After", "60")
		s.page(w, r, http.StatusTooManyRequests, "pesan", msgPage{Title: "Terlalu banyak percobaan",
			Text: "Terlalu banyak percobaan masuk dari alamat ini. Tunggu satu menit lalu coba lagi."})
		return
	}
	token, hash, err := newToken()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.d.Store.RedeemLoginLink(r.Context(), hashToken(r.PathValue("token")), hash)
	switch {
	case errIs(err, errNotFound):
		s.linkGone(w, r, http.StatusNotFound, "Tautan tidak dikenal")
		return
	case errIs(err, errConflict):
		s.linkGone(w, r, http.StatusGone, "Tautan sudah dipakai")
		return
	case errIs(err, errExpired):
		s.linkGone(w, r, http.StatusGone, "Tautan sudah kedaluwarsa")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if !MayUse(p) {
		s.notFound(w, r)
		return
	}
	s.setCookie(w, token)
	http.Redirect(w, r, "/r/"+url.PathEscape(p.RegionCode)+"/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if err := s.d.Store.EndWebSession(r.Context(), hashToken(v.token)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearCookie(w)
	r = r.WithContext(r.Context()) // no viewer on the goodbye page
	s.page(w, r.WithContext(noViewer(r)), http.StatusOK, "pesan", msgPage{Title: "Anda sudah keluar",
		Text: "Sesi dasbor sudah diakhiri. Ketik dasbor di chat untuk masuk lagi."})
}

// year is the evaluation year shown: ?tahun= or the region's year in progress.
func (s *Server) year(r *http.Request, regionYear int) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("tahun")); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	if regionYear != 0 {
		return regionYear
	}
	return s.cfg.Now().Year()
}

// now is the clock.
func (s *Server) now() time.Time { return s.cfg.Now() }

func errIs(err, target error) bool { return err != nil && errors.Is(err, target) }
