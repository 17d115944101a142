// Package web is the coordinators' and heads' web dashboard, served by `klabot serve`:
// login by a one-time link from the chat (`dasbor`), the region overview with the same
// numbers as `klabot score`, OPD progress, the questions with their answer history and
// evidence, review (approve / needs revision / reject, with the same effects as in chat),
// and downloads (the evidence pack as a streamed ZIP, ringkasan.xlsx).
//
// Pages are rendered on the server with html/template and need no JavaScript. Every page
// and file checks the session's person, role and region: a URL of another region is 404.
package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
)

// Store is what the dashboard needs from storage (postgres.Store).
type Store interface {
	LinkStore
	// RedeemLoginLink uses a login link once and starts a session: ErrNotFound for an
	// unknown link, ErrConflict for a used one, ErrExpired for an expired one.
	RedeemLoginLink(ctx context.Context, linkHash, sessionHash string) (conversations.Person, error)
	// DownloadLink returns the person and target of a live download link.
	DownloadLink(ctx context.Context, tokenHash string) (conversations.Person, string, error)
	// WebSession returns the person of a live session seen within idle (ErrNotFound otherwise).
	WebSession(ctx context.Context, tokenHash string, idle time.Duration) (conversations.Person, error)
	EndWebSession(ctx context.Context, tokenHash string) error
	// EvidenceFile returns one evidence file of the region (ErrNotFound for another region's).
	EvidenceFile(ctx context.Context, region string, id int64) (review.File, error)
	// WebActivity says who of the region has a chat identity and when each last answered.
	WebActivity(ctx context.Context, region string, year int) (registered map[int64]bool, lastAnswer map[int64]time.Time, err error)

	Region(ctx context.Context, code string) (conversations.Region, error)
	People(ctx context.Context, region string) ([]conversations.Person, error)
	Instrument(ctx context.Context, year int) (*scoring.Instrument, error)
	PreviousSnapshots(ctx context.Context, days map[string]time.Time, years map[string]int) (map[string]digest.DigestSnapshot, error)

	RegionAnswers(ctx context.Context, region string, year int) ([]review.Item, error)
	ReviewQueue(ctx context.Context, region string, year int, f review.Filter, limit int) ([]review.Item, error)
	CountReviewQueue(ctx context.Context, region string, year int, f review.Filter) (int, error)
	ReviewItem(ctx context.Context, region string, answerID int64) (review.Item, error)
	ReviewHistory(ctx context.Context, region string, year int, ref string) ([]review.Item, error)
	RecordReview(ctx context.Context, answerID int64, state conversations.ReviewState, note string, reviewerID int64) (review.Record, error)
}

// Scorer scores a region (conversations.Scorer): the numbers `klabot score` prints.
type Scorer interface {
	Score(ctx context.Context, region string, year int) (conversations.RegionScore, error)
}

// Blobs opens evidence files by blob key (storage/blob.Local).
type Blobs interface {
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// Pack writes a region's downloads (storage/evidencepack.Exporter).
type Pack interface {
	// WritePack streams the evidence pack (ZIP) to w.
	WritePack(ctx context.Context, w io.Writer, region string, year int) error
	// WriteWorkbook writes ringkasan.xlsx to w.
	WriteWorkbook(ctx context.Context, w io.Writer, region string, year int) error
}

// Notifier tells the OPD's focal points that an answer was sent back, exactly as the
// chat review does, and returns the names of the people reached.
type Notifier interface {
	ReviewDecided(ctx context.Context, it review.Item, state conversations.ReviewState, note string, reviewer conversations.Person) ([]string, error)
}

// Config configures the dashboard.
type Config struct {
	// BaseURL is the public address people open (WEB_BASE_URL). Defaults to
	// http://127.0.0.1:8080. Cookies are Secure when it starts with https://.
	BaseURL string
	// LinkTTL is how long a login link lasts. Defaults to 15 minutes.
	LinkTTL time.Duration
	// DownloadTTL is how long a download link lasts. Defaults to 24 hours.
	DownloadTTL time.Duration
	// IdleTimeout ends a session not used for this long. Defaults to 8 hours.
	IdleTimeout time.Duration
	// RedeemPerMinute bounds login link redemptions per client address and minute.
	// Defaults to 10.
	RedeemPerMinute int
	// PageSize is the number of questions per page. Defaults to 50.
	PageSize int
	Now      func() time.Time // defaults to time.Now
	Log      *slog.Logger     // defaults to slog.Default()
}

// DefaultBaseURL is the dashboard's address when WEB_BASE_URL is unset.
const DefaultBaseURL = "http://127.0.0.1:8080"

func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	for len(c.BaseURL) > 0 && c.BaseURL[len(c.BaseURL)-1] == '/' {
		c.BaseURL = c.BaseURL[:len(c.BaseURL)-1]
	}
	if c.LinkTTL <= 0 {
		c.LinkTTL = 15 * time.Minute
	}
	if c.DownloadTTL <= 0 {
		c.DownloadTTL = 24 * time.Hour
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 8 * time.Hour
	}
	if c.RedeemPerMinute <= 0 {
		c.RedeemPerMinute = 10
	}
	if c.PageSize <= 0 {
		c.PageSize = 50
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return c
}

// Transactor runs fn in one Postgres transaction carried by ctx (postgres.Store.InTx).
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Deps are the dashboard's collaborators. Notifier may be nil (nobody is told).
type Deps struct {
	Store    Store
	Scorer   Scorer
	Blobs    Blobs
	Pack     Pack
	Notifier Notifier
	// Tx, when set, records a review decision and queues its notices (Notifier on a
	// durable outbox) in one transaction: both or neither.
	Tx Transactor
}

// Server serves the dashboard.
type Server struct {
	cfg   Config
	d     Deps
	links *Links
	limit *rateLimiter
	pages *pages
}

// New returns the dashboard server.
func New(cfg Config, d Deps) (*Server, error) {
	cfg = cfg.withDefaults()
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, d: d, pages: p,
		links: NewLinks(d.Store, LinkConfig{BaseURL: cfg.BaseURL, LoginTTL: cfg.LinkTTL, DownloadTTL: cfg.DownloadTTL, Now: cfg.Now}),
		limit: newRateLimiter(cfg.RedeemPerMinute, time.Minute, cfg.Now)}, nil
}

// Links returns the server's link maker (for the chat commands).
func (s *Server) Links() *Links { return s.links }

// Register adds the dashboard's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	h := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, secure(fn)) }
	h("GET /{$}", s.home)
	h("GET /static/app.css", s.css)
	h("GET /masuk/{token}", s.loginPage)
	h("POST /masuk/{token}", s.login)
	h("POST /keluar", s.session(s.logout))
	h("GET /unduh/{token}/{name}", s.downloadByLink)
	h("GET /r/{region}/{$}", s.region(s.overview))
	h("GET /r/{region}/grafik.png", s.region(s.chartPNG))
	h("GET /r/{region}/grafik-opd.png", s.region(s.opdChartPNG))
	h("GET /r/{region}/opd", s.region(s.opdProgress))
	h("GET /r/{region}/pertanyaan", s.region(s.questions))
	h("GET /r/{region}/pertanyaan/{code}", s.region(s.question))
	h("GET /r/{region}/tinjau", s.region(s.reviewNext))
	h("POST /r/{region}/tinjau/{answer}", s.region(s.review))
	h("GET /r/{region}/bukti/{id}/{name}", s.region(s.evidence))
	h("GET /r/{region}/unduh", s.region(s.downloads))
	h("GET /r/{region}/unduh/{name}", s.region(s.download))
}

// Handler returns the dashboard alone as an http.Handler (tests).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}
