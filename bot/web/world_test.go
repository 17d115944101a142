package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	jpegenc "image/jpeg"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/bot/web"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/evidencepack"
)

// Other is a second region with its own coordinator: nothing of KOTA-UJI may show.
const Other = "KOTA-LAIN"

// world is KOTA-UJI (consoletest) with answers and evidence, a second region, and the
// dashboard served on loopback.
type world struct {
	*consoletest.World
	srv       *web.Server
	http      *httptest.Server
	notices   *notices
	answers   map[string]int64 // current answer id by question code
	evidence  map[string]int64 // first evidence id by question code
	otherKoor int64
}

// notices records the messages the dashboard queued for the chats.
type notices struct {
	mu   sync.Mutex
	sent []conversations.Outbound
}

func (n *notices) send(_ context.Context, out conversations.Outbound) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, out)
	return nil
}

// text is every queued message as "chat: text", one per line.
func (n *notices) text() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var b strings.Builder
	for _, o := range n.sent {
		b.WriteString(o.To.ChatID + ": " + o.Text + "\n")
	}
	return b.String()
}

// jpeg is a real picture (a page with lines of "text"), so browsers can show it.
var jpeg = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 220))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{250, 248, 240, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(20, 20, 300, 44), image.NewUniform(color.RGBA{25, 97, 196, 255}), image.Point{}, draw.Src)
	for y := 64; y < 200; y += 18 {
		draw.Draw(img, image.Rect(20, y, 280-(y%50), y+8), image.NewUniform(color.RGBA{90, 98, 106, 255}), image.Point{}, draw.Src)
	}
	var b bytes.Buffer
	if err := jpegenc.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}()
var pdf = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{World: consoletest.NewWorld(t, func(key, _ string) conversations.Identity {
		return conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: "chat-" + key, ChatID: "chat-" + key}
	}), notices: &notices{}, answers: map[string]int64{}, evidence: map[string]int64{}}
	ctx, s := w.Ctx, w.Store
	consoletest.Must(t, s.UpsertRegion(ctx, conversations.Region{Code: Other, Name: "Kota Lain", Kind: "kota", TimeZone: "Asia/Makassar", DigestHour: 7, Year: 2026}))
	var err error
	w.otherKoor, err = s.UpsertPerson(ctx, conversations.Person{Name: "Koor Lain", Role: conversations.RoleCoordinator, RegionCode: Other}, "628120000001")
	consoletest.Must(t, err)

	w.answer("budi", "1.1", scoring.Value{Text: scoring.ValueYes}, "sk.jpg", "image/jpeg", jpeg)
	w.answer("sari", "1.2", scoring.Value{Text: scoring.ValuePartial}, "", "", nil)
	w.answer("budi", "1.3", scoring.Value{Text: "Perda"}, "perda.pdf", "application/pdf", pdf)
	w.answer("budi", "12.1", scoring.Value{Number: 5}, "", "", nil)

	w.srv, err = web.New(web.Config{Now: w.Clock.Now, BaseURL: "http://placeholder"}, w.deps())
	consoletest.Must(t, err)
	w.http = httptest.NewServer(w.srv.Handler())
	t.Cleanup(w.http.Close)
	// Links must point at the test server.
	w.srv, err = web.New(web.Config{Now: w.Clock.Now, BaseURL: w.http.URL}, w.deps())
	consoletest.Must(t, err)
	w.http.Config.Handler = w.srv.Handler()
	return w
}

func (w *world) deps() web.Deps {
	return web.Deps{Store: w.Store, Scorer: conversations.NewScorer(w.Store, w.Clock.Now), Blobs: w.Blobs,
		Pack:     &evidencepack.Exporter{Source: w.Store, Blobs: w.Blobs, Now: w.Clock.Now},
		Notifier: web.ChatNotifier{Store: w.Store, Send: w.notices.send}}
}

// answer saves an answer version by the person, with one evidence file when data is set.
func (w *world) answer(who, code string, v scoring.Value, name, mime string, data []byte) int64 {
	w.T.Helper()
	w.Clock.Add(60e9)
	info, err := w.Store.SaveAnswer(w.Ctx, answering.AnswerWrite{RegionCode: consoletest.Region, Year: 2026,
		QuestionCode: code, Value: v, PersonID: w.People[who],
		Msg: conversations.Delivery{Channel: conversations.ChannelConsole, ChatID: "chat-" + who, MessageID: "m-" + code + "-" + w.Clock.Now().String(), At: w.Clock.Now()}})
	consoletest.Must(w.T, err)
	w.answers[code] = info.ID
	if data != nil {
		key, err := w.Blobs.Put(w.Ctx, data)
		consoletest.Must(w.T, err)
		_, err = w.Store.AddEvidence(w.Ctx, answering.EvidenceWrite{AnswerID: info.ID, PersonID: w.People[who],
			Msg:   conversations.Delivery{Channel: conversations.ChannelConsole, ChatID: "chat-" + who, MessageID: "e-" + code + w.Clock.Now().String(), At: w.Clock.Now()},
			Files: []conversations.EvidenceFile{{BlobKey: key, MIME: mime, Size: int64(len(data)), Name: name}}})
		consoletest.Must(w.T, err)
		var id int64
		consoletest.Must(w.T, w.Store.Pool().QueryRow(w.Ctx, `SELECT id FROM evidence WHERE answer_id = $1`, info.ID).Scan(&id))
		w.evidence[code] = id
	}
	return info.ID
}

// browser is an HTTP client with its own cookies.
type browser struct {
	t   *testing.T
	w   *world
	c   *http.Client
	jar *cookiejar.Jar
}

func (w *world) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: w.T.(*testing.T), w: w, jar: jar, c: &http.Client{Jar: jar}}
}

// login makes a login link for the person and redeems it.
func (b *browser) login(personID int64) *http.Response {
	b.t.Helper()
	link := b.w.link(personID)
	return b.post(link, nil)
}

func (w *world) link(personID int64) string {
	w.T.Helper()
	p, err := w.Store.Person(w.Ctx, personID)
	consoletest.Must(w.T, err)
	link, _, err := w.srv.Links().Login(w.Ctx, p)
	consoletest.Must(w.T, err)
	return link
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.w.http.URL + path
	}
	res, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *browser) post(path string, form url.Values) *http.Response {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.w.http.URL + path
	}
	res, err := b.c.PostForm(u, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token from a page.
func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf token on the page")
	}
	return m[1]
}
