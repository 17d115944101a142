package web_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/bot/web"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
)

const R = "/r/" + consoletest.Region

func TestLoginByLinkOnceThenSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	link := w.link(w.People["koor"])
	token := link[strings.LastIndex(link, "/")+1:]
	if !strings.HasPrefix(link, w.http.URL+"/masuk/") || len(token) < 40 {
		t.Fatalf("link %q", link)
	}
	// Only the hash is stored.
	if n := w.QueryInt(`SELECT count(*) FROM web_links WHERE token_hash = $1 OR target = $1`, token); n != 0 {
		t.Fatal("the token is stored in clear")
	}
	// Opening the link (a chat's link preview does the same) does not use it.
	for range 2 {
		res, page := b.get(link)
		if res.StatusCode != 200 || !strings.Contains(page, `id="masuk"`) {
			t.Fatalf("login page %d:\n%s", res.StatusCode, page)
		}
	}
	res := b.post(link, nil)
	page := body(t, res)
	if res.StatusCode != 200 || res.Request.URL.Path != R+"/" || !strings.Contains(page, "Kota Uji") {
		t.Fatalf("after login: %d %s\n%s", res.StatusCode, res.Request.URL, page)
	}
	var cookie *http.Cookie
	for _, c := range res.Request.Response.Cookies() {
		if c.Name == "klabot_sesi" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
		t.Fatalf("session cookie %+v (want HttpOnly, SameSite=Lax, not Secure on http)", cookie)
	}
	if n := w.QueryInt(`SELECT count(*) FROM web_sessions WHERE token_hash = $1`, cookie.Value); n != 0 {
		t.Fatal("the session token is stored in clear")
	}
	// A used link gets a clear page, and the session keeps working.
	res = w.browser().post(link, nil)
	if page := body(t, res); res.StatusCode != http.StatusGone || !strings.Contains(page, "sudah dipakai") || !strings.Contains(page, "Ketik dasbor") {
		t.Fatalf("used link: %d\n%s", res.StatusCode, page)
	}
	if res, _ := b.get(R + "/opd"); res.StatusCode != 200 {
		t.Fatalf("session after the link was used: %d", res.StatusCode)
	}
	// An expired link.
	late := w.link(w.People["koor"])
	w.Clock.Add(15*time.Minute + time.Second)
	res = w.browser().post(late, nil)
	if page := body(t, res); res.StatusCode != http.StatusGone || !strings.Contains(page, "kedaluwarsa") {
		t.Fatalf("expired link: %d\n%s", res.StatusCode, page)
	}
	// An unknown link.
	res = w.browser().post(w.http.URL+"/masuk/bogus", nil)
	if page := body(t, res); res.StatusCode != http.StatusNotFound || !strings.Contains(page, "Ketik dasbor") {
		t.Fatalf("unknown link: %d\n%s", res.StatusCode, page)
	}
	// Idle for 8 hours: the session ends.
	w.Clock.Add(8 * time.Hour)
	if res, page := b.get(R + "/"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "ketik dasbor") {
		t.Fatalf("after 8 idle hours: %d\n%s", res.StatusCode, page)
	}
}

func TestSecureCookieOnHTTPS(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	srv, err := web.New(web.Config{Now: w.Clock.Now, BaseURL: "https://dasbor.example.go.id"}, w.deps())
	consoletest.Must(t, err)
	p, _ := w.Store.Person(w.Ctx, w.People["koor"])
	link, _, err := srv.Links().Login(w.Ctx, p)
	consoletest.Must(t, err)
	if !strings.HasPrefix(link, "https://dasbor.example.go.id/masuk/") {
		t.Fatalf("link %s", link)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", strings.TrimPrefix(link, "https://dasbor.example.go.id"), nil)
	srv.Handler().ServeHTTP(rec, req)
	c := rec.Result().Cookies()
	if rec.Code != http.StatusSeeOther || len(c) != 1 || !c[0].Secure || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("%d %+v", rec.Code, c)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	page := body(t, b.login(w.People["koor"]))
	res := b.post("/keluar", url.Values{"csrf": {csrf(t, page)}})
	if page := body(t, res); !strings.Contains(page, "sudah keluar") {
		t.Fatalf("logout: %d\n%s", res.StatusCode, page)
	}
	if res, _ := b.get(R + "/"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", res.StatusCode)
	}
}

func TestFocalPointsGetNoLink(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p, _ := w.Store.Person(w.Ctx, w.People["budi"])
	if _, _, err := w.srv.Links().Login(w.Ctx, p); !errors.Is(err, conversations.ErrForbidden) {
		t.Fatalf("focal point link: %v", err)
	}
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	link := w.link(w.People["koor"])
	req, _ := http.NewRequest("POST", link, nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	consoletest.Must(t, err)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site login: %d", res.StatusCode)
	}
	// The link was not spent.
	if res := w.browser().post(link, nil); res.StatusCode != 200 {
		t.Fatalf("same-site login after: %d", res.StatusCode)
	}
}

func TestRedemptionIsRateLimited(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	for i := range 10 {
		if res := b.post("/masuk/guess"+strconv.Itoa(i), nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("try %d: %d", i, res.StatusCode)
		}
	}
	res := b.post(w.link(w.People["koor"]), nil)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("11th try: %d", res.StatusCode)
	}
	w.Clock.Add(time.Minute)
	if res := b.post(w.link(w.People["koor"]), nil); res.StatusCode != 200 {
		t.Fatalf("a minute later: %d", res.StatusCode)
	}
}

func TestOverviewHasTheScoreNumbers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	page := body(t, b.login(w.People["wali"]))
	rs, err := conversations.NewScorer(w.Store, w.Clock.Now).Score(w.Ctx, consoletest.Region, 2026)
	consoletest.Must(t, err)
	rep := rs.Report
	for _, want := range []string{
		rep.Tier.Name, scoring.FormatPoints(rep.Claimed.Points), scoring.FormatPoints(rep.Evidenced.Points),
		scoring.FormatPoints(rep.Verified.Points), "kurang <b id=\"ke-berikut\">" + scoring.FormatPoints(rep.PointsToNextTier) + "</b>",
		"tenggat 31 Maret 2026 (29 hari lagi)", "Klaster III", "4 dari 9 pertanyaan terjawab", "4 jawaban menunggu tinjauan",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if len(page) > 100<<10 {
		t.Errorf("overview is %d bytes", len(page))
	}
	if strings.Contains(page, `id="tinjau"`) {
		t.Error("a head sees a review form")
	}
	res, png := b.get(R + "/grafik.png")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(png, "\x89PNG") {
		t.Fatalf("chart: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.login(w.People["koor"]).Body.Close()
	for _, path := range []string{R + "/", R + "/opd", "/masuk/x", R + "/bukti/" + strconv.FormatInt(w.evidence["1.1"], 10) + "/sk.jpg"} {
		res, _ := b.get(path)
		h := res.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}

func TestOPDProgress(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.login(w.People["koor"]).Body.Close()
	res, page := b.get(R + "/opd")
	if res.StatusCode != 200 {
		t.Fatal(res.StatusCode)
	}
	// DISDIK has one question, unanswered, and comes first; DINKES answered 4 of 8.
	di, dk := strings.Index(page, ">DISDIK<"), strings.Index(page, ">DINKES<")
	if di < 0 || dk < 0 || di > dk {
		t.Fatalf("order DISDIK %d, DINKES %d", di, dk)
	}
	for _, want := range []string{"0 / 1", "4 / 8", "reg\">Budi Santoso", "unreg\">Dewi Anggraini", "belum pernah menjawab", "2 Maret 2026 09.0"} {
		if !strings.Contains(page, want) {
			t.Errorf("OPD page lacks %q", want)
		}
	}
}

func TestQuestionsFilter(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.login(w.People["koor"]).Body.Close()
	for _, c := range []struct {
		query string
		want  []string
		not   []string
	}{
		{"", []string{">1.1<", ">12.6<"}, nil},
		{"?status=belum", []string{">12.2<", ">12.6<"}, []string{">1.1<"}},
		{"?status=menunggu", []string{">1.1<", ">1.2<", ">12.1<"}, []string{">12.6<"}},
		{"?opd=DISDIK", []string{">12.6<"}, []string{">1.1<"}},
		{"?klaster=KELEMBAGAAN", []string{">1.3<"}, []string{">12.1<"}},
		{"?indikator=12&status=menunggu", []string{">12.1<"}, []string{">1.1<", ">12.2<"}},
	} {
		res, page := b.get(R + "/pertanyaan" + c.query)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", c.query, res.StatusCode)
		}
		for _, s := range c.want {
			if !strings.Contains(page, s) {
				t.Errorf("%s: lacks %s", c.query, s)
			}
		}
		for _, s := range c.not {
			if strings.Contains(page, s) {
				t.Errorf("%s: shows %s", c.query, s)
			}
		}
	}
	res, page := b.get(R + "/pertanyaan/1.1")
	if res.StatusCode != 200 || !strings.Contains(page, `<img src="`+R+"/bukti/") || !strings.Contains(page, "Versi 1") {
		t.Fatalf("question page %d:\n%s", res.StatusCode, page)
	}
	res, page = b.get(R + "/pertanyaan/1.3")
	if !strings.Contains(page, "PDF — dibuka di penampil browser") {
		t.Error("the PDF is not offered for the browser's viewer")
	}
	res, file := b.get(R + "/bukti/" + strconv.FormatInt(w.evidence["1.3"], 10) + "/perda.pdf")
	if res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") || file != string(pdf) {
		t.Fatalf("pdf: %v", res.Header)
	}
	res, _ = b.get(R + "/bukti/" + strconv.FormatInt(w.evidence["1.3"], 10) + "/perda.pdf?unduh=1")
	if !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("pdf download: %v", res.Header)
	}
}

func TestCrossRegionIs404Everywhere(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := w.browser()
	other.login(w.otherKoor).Body.Close()
	ev := strconv.FormatInt(w.evidence["1.1"], 10)
	for _, path := range []string{R + "/", R + "/opd", R + "/pertanyaan", R + "/pertanyaan/1.1", R + "/tinjau", R + "/unduh",
		R + "/unduh/paket.zip", R + "/unduh/ringkasan.xlsx", R + "/grafik.png", R + "/grafik-opd.png", R + "/bukti/" + ev + "/sk.jpg",
		"/r/kota-uji/", "/r/" + Other + "/bukti/" + ev + "/sk.jpg"} {
		res, page := other.get(path)
		if res.StatusCode != http.StatusNotFound || strings.Contains(page, "Kota Uji") || strings.Contains(page, string(jpeg[:64])) {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
	page := body(t, other.login(w.otherKoor))
	res := other.post(R+"/tinjau/"+strconv.FormatInt(w.answers["1.1"], 10), url.Values{"csrf": {csrf(t, page)}, "keputusan": {"approved"}, "dilihat": {"waiting"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("review of another region: %d", res.StatusCode)
	}
	// Their own region's path with this region's answer id is 404 too.
	res = other.post("/r/"+Other+"/tinjau/"+strconv.FormatInt(w.answers["1.1"], 10), url.Values{"csrf": {csrf(t, page)}, "keputusan": {"approved"}, "dilihat": {"waiting"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("review by id through the own region: %d", res.StatusCode)
	}
	if n := w.QueryInt(`SELECT count(*) FROM reviews`); n != 0 {
		t.Fatalf("%d reviews recorded", n)
	}
	// Without a session nothing is reachable.
	anon := w.browser()
	for _, path := range []string{R + "/", R + "/bukti/" + ev + "/sk.jpg", R + "/unduh/paket.zip"} {
		if res, _ := anon.get(path); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous %s: %d", path, res.StatusCode)
		}
	}
}

func TestReviewLikeInChat(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.login(w.People["koor"]).Body.Close()
	score := func() float64 {
		rs, err := conversations.NewScorer(w.Store, w.Clock.Now).Score(w.Ctx, consoletest.Region, 2026)
		consoletest.Must(t, err)
		return rs.Report.Verified.Points
	}
	if v := score(); v != 0 {
		t.Fatalf("verified before %v", v)
	}
	// The queue opens the longest waiting answer.
	res, page := b.get(R + "/tinjau")
	if res.Request.URL.Path != R+"/pertanyaan/1.1" || !strings.Contains(page, `id="terima"`) {
		t.Fatalf("queue went to %s", res.Request.URL)
	}
	token := csrf(t, page)
	id := func(code string) string { return strconv.FormatInt(w.answers[code], 10) }

	// No CSRF token: refused.
	for _, bad := range []string{"", "x" + token} {
		res := b.post(R+"/tinjau/"+id("1.1"), url.Values{"csrf": {bad}, "keputusan": {"approved"}, "dilihat": {"waiting"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("csrf %q: %d", bad, res.StatusCode)
		}
	}
	res = b.post(R+"/tinjau/"+id("1.1"), url.Values{"csrf": {token}, "keputusan": {"approved"}, "dilihat": {"waiting"}, "dari": {"tinjau"}})
	page = body(t, res)
	if res.Request.URL.Path != R+"/pertanyaan/1.2" || !strings.Contains(page, "1.1 diterima.") {
		t.Fatalf("after approving: %s\n%s", res.Request.URL, page)
	}
	if v := score(); scoring.FormatPoints(v) != "166,7" {
		t.Fatalf("verified after approving 1.1: %v", v)
	}
	// Sending back needs a note.
	res = b.post(R+"/tinjau/"+id("1.2"), url.Values{"csrf": {token}, "keputusan": {"needs_revision"}, "dilihat": {"waiting"}})
	if page := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Tulis catatan") {
		t.Fatalf("no note: %d", res.StatusCode)
	}
	res = b.post(R+"/tinjau/"+id("1.2"), url.Values{"csrf": {token}, "keputusan": {"needs_revision"}, "catatan": {"Lampirkan daftar Puskesmas."}, "dilihat": {"waiting"}, "dari": {"tinjau"}})
	page = body(t, res)
	if !strings.Contains(page, "1.2 dicatat perlu perbaikan; catatan dikirim ke 3 focal point") {
		t.Fatalf("after sending back: %s\n%s", res.Request.URL, page)
	}
	// The chat's own notice, to every Dinkes focal point with a chat, in their language.
	got := w.notices.text()
	for _, want := range []string{
		"chat-budi: 🔁 Jawaban OPD Anda perlu perbaikan\nPertanyaan 1.2 — Apakah Puskesmas sudah ramah anak?\nJawaban: Sebagian",
		`Catatan dari Rina Koordinator (koordinator): "Lampirkan daftar Puskesmas."`,
		"chat-sari: 🔁 Jawaban OPD Anda perlu perbaikan", "chat-john: 🔁 Your OPD's answer needs revision",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("notices lack %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "chat-") != 3 || strings.Contains(got, "approved") {
		t.Errorf("notices:\n%s", got)
	}
	// The chat sees the same: the reopened question with its note.
	reo, err := w.Store.ReopenedQuestions(w.Ctx, consoletest.Region, 2026, opdID(t, w, "DINKES"))
	consoletest.Must(t, err)
	if len(reo) != 1 || reo[0].Code != "1.2" || reo[0].Note != "Lampirkan daftar Puskesmas." {
		t.Fatalf("reopened %+v", reo)
	}

	// Stale: the page of 1.3 is opened, then the OPD answers again.
	_, page = b.get(R + "/pertanyaan/1.3")
	old := id("1.3")
	w.answer("budi", "1.3", scoring.Value{Text: "Perbup, SK atau SE"}, "", "", nil)
	res = b.post(R+"/tinjau/"+old, url.Values{"csrf": {token}, "keputusan": {"approved"}, "dilihat": {"waiting"}})
	if page := body(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(page, "versi baru") {
		t.Fatalf("stale version: %d\n%s", res.StatusCode, page)
	}
	// Decided by someone else since the page was opened.
	res = b.post(R+"/tinjau/"+id("1.1"), url.Values{"csrf": {token}, "keputusan": {"rejected"}, "catatan": {"x"}, "dilihat": {"waiting"}})
	if page := body(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(page, "sudah berubah") {
		t.Fatalf("decided meanwhile: %d\n%s", res.StatusCode, page)
	}
	if n := w.QueryInt(`SELECT count(*) FROM reviews`); n != 2 {
		t.Fatalf("%d reviews recorded, want 2", n)
	}
	// A head reads but cannot decide.
	head := w.browser()
	page = body(t, head.login(w.People["wali"]))
	res = head.post(R+"/tinjau/"+id("12.1"), url.Values{"csrf": {csrf(t, page)}, "keputusan": {"approved"}, "dilihat": {"waiting"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("head review: %d", res.StatusCode)
	}
}

func opdID(t *testing.T, w *world, code string) int64 {
	var id int64
	consoletest.Must(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT id FROM opds WHERE region_code = $1 AND code = $2`, consoletest.Region, code).Scan(&id))
	return id
}

func TestDownloads(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.login(w.People["koor"]).Body.Close()
	res, page := b.get(R + "/unduh")
	if res.StatusCode != 200 || !strings.Contains(page, "4 jawaban, 2 berkas") {
		t.Fatalf("downloads page:\n%s", page)
	}
	res, zipped := b.get(R + "/unduh/bukti-KLA-KOTA-UJI-2026.zip")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("pack: %d %v", res.StatusCode, res.Header)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(zipped)), int64(len(zipped)))
	consoletest.Must(t, err)
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name[strings.LastIndex(f.Name, "/")+1:]] = true
	}
	for _, want := range []string{"ringkasan.xlsx", "BACA-SAYA.txt", "sk.jpg", "perda.pdf"} {
		if !names[want] {
			t.Errorf("pack lacks %s: %v", want, names)
		}
	}
	res, xlsx := b.get(R + "/unduh/ringkasan-KLA-KOTA-UJI-2026.xlsx")
	if res.StatusCode != 200 || !strings.HasPrefix(xlsx, "PK") {
		t.Fatalf("workbook: %d", res.StatusCode)
	}

	// The chat's download link works without a session until it expires.
	p, _ := w.Store.Person(w.Ctx, w.People["koor"])
	link, exp, err := w.srv.Links().Download(w.Ctx, p, "pack", 2026, "bukti-KLA-KOTA-UJI-2026.zip")
	consoletest.Must(t, err)
	if exp.Sub(w.Clock.Now()) != 24*time.Hour {
		t.Errorf("expires after %v", exp.Sub(w.Clock.Now()))
	}
	anon := w.browser()
	res, got := anon.get(link)
	if res.StatusCode != 200 || got[:2] != "PK" {
		t.Fatalf("download link: %d", res.StatusCode)
	}
	if _, err := zip.NewReader(bytes.NewReader([]byte(got)), int64(len(got))); err != nil {
		t.Fatal(err)
	}
	if res, _ := anon.get(strings.Replace(link, "/unduh/", "/unduh/A", 1)); res.StatusCode != http.StatusNotFound {
		t.Errorf("forged link: %d", res.StatusCode)
	}
	w.Clock.Add(24 * time.Hour)
	res, page = anon.get(link)
	if res.StatusCode != http.StatusGone || !strings.Contains(page, "ekspor") {
		t.Fatalf("expired download link: %d", res.StatusCode)
	}
}

func TestSkipForNowInTheQueue(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.login(w.People["koor"]).Body.Close()
	res, page := b.get(R + "/tinjau")
	if res.Request.URL.Path != R+"/pertanyaan/1.1" {
		t.Fatalf("queue starts at %s", res.Request.URL)
	}
	seen := []string{"1.1"}
	for range 3 {
		m := regexp.MustCompile(`href="([^"]+)" id="lewati"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no skip link on %s", res.Request.URL)
		}
		res, page = b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		seen = append(seen, strings.TrimPrefix(res.Request.URL.Path, R+"/pertanyaan/"))
	}
	if got := strings.Join(seen, " "); got != "1.1 1.2 1.3 12.1" {
		t.Fatalf("skipping went %s", got)
	}
	m := regexp.MustCompile(`href="([^"]+)" id="lewati"`).FindStringSubmatch(page)
	res, page = b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	if !strings.Contains(page, "Tidak ada jawaban yang menunggu tinjauan") {
		t.Fatalf("after skipping everything: %s", res.Request.URL)
	}
	// A new round (tinjau again) starts from the oldest.
	if res, _ := b.get(R + "/tinjau"); res.Request.URL.Path != R+"/pertanyaan/1.1" {
		t.Fatalf("new round starts at %s", res.Request.URL)
	}
}
