package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/klabot/klabot/conversations"
)

// LinkStore keeps links by the hash of their token.
type LinkStore interface {
	CreateWebLink(ctx context.Context, tokenHash string, personID int64, purpose, target string, expires time.Time) error
}

// LinkConfig configures Links.
type LinkConfig struct {
	BaseURL     string        // defaults to DefaultBaseURL
	LoginTTL    time.Duration // defaults to 15 minutes
	DownloadTTL time.Duration // defaults to 24 hours
	Now         func() time.Time
}

// Links makes login and download links. A link carries 256 random bits; only their
// SHA-256 is stored, so a copy of the database opens nothing.
type Links struct {
	store LinkStore
	cfg   LinkConfig
}

// NewLinks returns a link maker on store.
func NewLinks(store LinkStore, cfg LinkConfig) *Links {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.LoginTTL <= 0 {
		cfg.LoginTTL = 15 * time.Minute
	}
	if cfg.DownloadTTL <= 0 {
		cfg.DownloadTTL = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Links{store: store, cfg: cfg}
}

// Link purposes, as stored.
const (
	purposeLogin    = "login"
	purposeDownload = "download"
)

// Download targets.
const (
	TargetPack     = "pack"
	TargetWorkbook = "workbook"
)

// MayUse reports whether the person may use the dashboard: coordinators, admins and
// heads of a region. Focal points answer in the chat.
func MayUse(p conversations.Person) bool {
	return p.Role == conversations.RoleCoordinator || p.Role == conversations.RoleAdmin || p.Role == conversations.RoleHead
}

// MayReview reports whether the person may record review decisions.
func MayReview(p conversations.Person) bool {
	return p.Role == conversations.RoleCoordinator || p.Role == conversations.RoleAdmin
}

// Login makes a one-time login link for the person and returns it with its expiry.
// People who may not use the dashboard get ErrForbidden.
func (l *Links) Login(ctx context.Context, p conversations.Person) (string, time.Time, error) {
	if !MayUse(p) {
		return "", time.Time{}, fmt.Errorf("web login for %s: %w", p.Role, conversations.ErrForbidden)
	}
	token, hash, err := newToken()
	if err != nil {
		return "", time.Time{}, err
	}
	exp := l.cfg.Now().Add(l.cfg.LoginTTL)
	if err := l.store.CreateWebLink(ctx, hash, p.ID, purposeLogin, "", exp); err != nil {
		return "", time.Time{}, err
	}
	return l.cfg.BaseURL + "/masuk/" + token, exp, nil
}

// Download makes an expiring download link for the person's region: target is
// TargetPack or TargetWorkbook, name the file name the browser saves.
func (l *Links) Download(ctx context.Context, p conversations.Person, target string, year int, name string) (string, time.Time, error) {
	if !MayUse(p) {
		return "", time.Time{}, fmt.Errorf("web download for %s: %w", p.Role, conversations.ErrForbidden)
	}
	if target != TargetPack && target != TargetWorkbook {
		return "", time.Time{}, fmt.Errorf("download target %q: %w", target, conversations.ErrInvalid)
	}
	token, hash, err := newToken()
	if err != nil {
		return "", time.Time{}, err
	}
	exp := l.cfg.Now().Add(l.cfg.DownloadTTL)
	if err := l.store.CreateWebLink(ctx, hash, p.ID, purposeDownload, fmt.Sprintf("%s:%d", target, year), exp); err != nil {
		return "", time.Time{}, err
	}
	return l.cfg.BaseURL + "/unduh/" + token + "/" + safeFileName(name), exp, nil
}

// newToken returns a random URL-safe token and its hash.
func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("random token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

// hashToken is what the database keeps of a token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// csrfToken is the form token of a session: derived from the session token, which only
// the browser holds, so the database's hash cannot produce it.
func csrfToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("klabot-csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// sessionCookie names the session cookie.
const sessionCookie = "klabot_sesi"

// viewer is the person a request is made by, with the session's CSRF token.
type viewer struct {
	conversations.Person
	csrf  string
	token string
}

type viewerKey struct{}

func viewerFrom(ctx context.Context) viewer {
	v, _ := ctx.Value(viewerKey{}).(viewer)
	return v
}

// session loads the viewer from the session cookie; without a live session it shows the
// "log in from the chat" page. POSTs must carry the session's CSRF token.
func (s *Server) session(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			s.needLogin(w, r)
			return
		}
		p, err := s.d.Store.WebSession(r.Context(), hashToken(c.Value), s.cfg.IdleTimeout)
		if errors.Is(err, conversations.ErrNotFound) {
			s.clearCookie(w)
			s.needLogin(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !MayUse(p) {
			s.notFound(w, r)
			return
		}
		v := viewer{Person: p, csrf: csrfToken(c.Value), token: c.Value}
		if r.Method == http.MethodPost {
			got := r.PostFormValue("csrf")
			if subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) != 1 {
				s.page(w, r, http.StatusForbidden, "pesan", msgPage{Title: "Formulir kedaluwarsa",
					Text: "Formulir ini tidak bisa dikirim (token keamanan tidak cocok). Muat ulang halaman lalu coba lagi."})
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)))
	}
}

// region is session plus the region check: a region other than the viewer's own is 404,
// exactly like a region that does not exist.
func (s *Server) region(next http.HandlerFunc) http.HandlerFunc {
	return s.session(func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		if r.PathValue("region") != v.RegionCode {
			s.notFound(w, r)
			return
		}
		next(w, r)
	})
}

func (s *Server) setCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

// secure adds the security headers every response carries, and refuses POSTs that a
// browser says come from another site (a forged login or form, on top of the CSRF token).
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			http.Error(w, "Formulir dari situs lain ditolak.", http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer") // a login or download link never leaks to another site
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// rateLimiter allows n events per window and client address (fixed windows).
type rateLimiter struct {
	n      int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	start time.Time
	seen  map[string]int
}

func newRateLimiter(n int, window time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{n: n, window: window, now: now, seen: map[string]int{}}
}

// allow counts one event of key and reports whether it is within the limit.
func (l *rateLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.start) >= l.window {
		l.start, l.seen = now, map[string]int{}
	}
	l.seen[key]++
	return l.seen[key] <= l.n
}

// clientAddr is the request's remote IP. X-Forwarded-For is not trusted: behind a proxy
// all clients share the proxy's budget, which fails safe.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
