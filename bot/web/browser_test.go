package web_test

import (
	"archive/zip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
)

// chromiumPath finds the browser: KLABOT_CHROMIUM, or chromium on the PATH. In CI
// (KLABOT_CI=1) a missing browser fails the test; elsewhere it skips.
func chromiumPath(t *testing.T) string {
	if p := os.Getenv("KLABOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("KLABOT_CI") == "1" {
		t.Fatal("chromium is missing: install it (apt-get install -y chromium); .ci/run does")
	}
	t.Skip("chromium not installed (apt-get install -y chromium); the browser test runs in CI")
	return ""
}

// artifacts is where screenshots go: KLABOT_ARTIFACTS (kept) or a temporary folder.
func artifacts(t *testing.T) string {
	if dir := os.Getenv("KLABOT_ARTIFACTS"); dir != "" {
		consoletest.Must(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	return t.TempDir()
}

// TestBrowserReviewLoop drives headless Chromium through the dashboard as a coordinator:
// log in by the chat's link, read the overview, approve one answer, send one back with a
// note, download the pack. It saves a screenshot of each page.
func TestBrowserReviewLoop(t *testing.T) {
	exe := chromiumPath(t)
	w := newWorld(t)
	shots := artifacts(t)
	downloads := t.TempDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "id-ID"), chromedp.WindowSize(1100, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first call starts the browser and must not carry the test's timeout.
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTime()

	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	// Quality 100 makes PNG screenshots.
	shot := func(name string) {
		t.Helper()
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		consoletest.Must(t, os.WriteFile(filepath.Join(shots, name), buf, 0o644))
	}
	u := func(path string) string { return w.http.URL + R + path }
	// Pictures load after the page: wait until every picture has arrived.
	pictures := func() chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)`)(ctx, t)
			return err
		})
	}

	step("open the chat's link", chromedp.Navigate(w.link(w.People["koor"])), chromedp.WaitVisible("#masuk"))
	shot("01-masuk.png")
	step("log in", chromedp.Click("#masuk"), chromedp.WaitVisible("#predikat"), pictures())
	tier := text("#predikat")
	shot("02-ringkasan.png")
	// The same page on a phone (390 px wide).
	step("phone width", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible("#predikat"), pictures())
	shot("02-ringkasan-ponsel.png")
	step("desktop width", chromedp.EmulateViewport(1100, 900))
	step("OPD page", chromedp.Navigate(u("/opd")), chromedp.WaitVisible("table.list"), pictures())
	shot("03-opd.png")
	step("questions", chromedp.Navigate(u("/pertanyaan")), chromedp.WaitVisible("table.list"))
	shot("04-pertanyaan.png")
	step("review queue", chromedp.Navigate(u("/tinjau")), chromedp.WaitVisible("#terima"), pictures())
	shot("05-tinjau.png")
	step("approve", chromedp.Click("#terima"), chromedp.WaitVisible("#kabar"))
	flash1 := text("#kabar")
	// The page of 1.2 already shows the flash about 1.1: wait for the next page's.
	step("send back", chromedp.SendKeys("#catatan", "Mohon lampirkan daftar Puskesmas ramah anak."),
		chromedp.Click("#perbaikan"), chromedp.WaitVisible("p.hasil-needs_revision"))
	flash2 := text("#kabar")
	shot("06-dikembalikan.png")
	step("downloads", chromedp.Navigate(u("/unduh")), chromedp.WaitVisible("#paket"))
	shot("07-unduh.png")
	step("download the pack", chromedp.Click("#paket"))

	rs, err := conversations.NewScorer(w.Store, w.Clock.Now).Score(w.Ctx, consoletest.Region, 2026)
	consoletest.Must(t, err)
	if !strings.Contains(tier, rs.Report.Tier.Name) || !strings.Contains(tier, scoring.FormatPoints(rs.Report.Evidenced.Points)) {
		t.Errorf("overview headline %q, score %s %v", tier, rs.Report.Tier.Name, rs.Report.Evidenced.Points)
	}
	if !strings.Contains(flash1, "1.1 diterima") || !strings.Contains(flash2, "1.2 dicatat perlu perbaikan") {
		t.Errorf("flashes %q / %q", flash1, flash2)
	}
	if v := scoring.FormatPoints(rs.Report.Verified.Points); v != "166,7" {
		t.Errorf("verified after approving 1.1: %s", v)
	}
	if got := w.notices.text(); !strings.Contains(got, "chat-sari: 🔁 Jawaban OPD Anda perlu perbaikan") || !strings.Contains(got, "Mohon lampirkan daftar Puskesmas") {
		t.Errorf("notices:\n%s", got)
	}
	// The pack arrives in the download folder.
	var pack string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && pack == ""; time.Sleep(200 * time.Millisecond) {
		entries, _ := os.ReadDir(downloads)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".zip") {
				pack = filepath.Join(downloads, e.Name())
			}
		}
	}
	if pack == "" {
		t.Fatal("the pack was not downloaded")
	}
	zr, err := zip.OpenReader(pack)
	if err != nil {
		t.Fatalf("downloaded pack: %v", err)
	}
	defer zr.Close()
	found := false
	for _, f := range zr.File {
		found = found || f.Name == "ringkasan.xlsx"
	}
	if !found {
		t.Error("the pack has no ringkasan.xlsx")
	}
	t.Logf("screenshots in %s, pack %s", shots, filepath.Base(pack))
}
