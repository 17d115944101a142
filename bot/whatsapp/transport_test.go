package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/redis/redistest"
)

var chatAddr = conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: phoneUser + "@s.whatsapp.net"}

func TestRenderNumberedMenu(t *testing.T) {
	t.Parallel()
	got := RenderText(conversations.Outbound{Text: "Apakah ada Perda KLA?", Buttons: [][]conversations.Button{
		{{Label: "Ya", Data: "a:ya"}, {Label: "Sebagian", Data: "a:sebagian"}},
		{{Label: "Tidak", Data: "a:tidak"}},
	}})
	want := "Apakah ada Perda KLA?\n\n1. Ya\n2. Sebagian\n3. Tidak\n\n_Balas 1, 2 atau 3._"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// The engine's own numbered options are not repeated.
	engine := conversations.WithOptions(conversations.Outbound{Text: "Ada SK?"}, "id", []conversations.Button{{Label: "Ya", Data: "y"}, {Label: "Tidak", Data: "t"}})
	if got := RenderText(engine); got != engine.Text || strings.Count(got, "1. Ya") != 1 {
		t.Errorf("engine options rendered twice:\n%s", got)
	}
	for n, want := range map[int]string{1: "Balas 1.", 2: "Balas 1 atau 2.", 12: "Balas dengan angka 1 sampai 12."} {
		if got := replyHint(n); got != want {
			t.Errorf("replyHint(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDeliverRemembersMenu(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	fc := newFakeClient()
	menus := &RedisMenus{RDB: rdb, Prefix: prefix}
	a := New(fc, menus, nil, Config{})
	ctx := context.Background()

	q := conversations.Outbound{To: chatAddr, Text: "Pilih:", Buttons: [][]conversations.Button{{{Label: "Ya", Data: "a:ya"}, {Label: "Tidak", Data: "a:tidak"}}}}
	if err := a.Deliver(ctx, q); err != nil {
		t.Fatal(err)
	}
	if len(fc.sent) != 1 || fc.sent[0].To.String() != phoneUser+"@s.whatsapp.net" {
		t.Fatalf("sent %+v", fc.sent)
	}
	if m, _ := menus.Menu(ctx, chatAddr); fmt.Sprint(m) != "[a:ya a:tidak]" {
		t.Fatalf("menu %v", m)
	}
	// Any message without buttons clears it, a bulk digest too: a typed number picks
	// only an option of the latest message (issue 14, item 1).
	if err := a.Deliver(ctx, conversations.Outbound{To: chatAddr, Text: "Ringkasan harian", Bulk: true}); err != nil {
		t.Fatal(err)
	}
	if m, _ := menus.Menu(ctx, chatAddr); m != nil {
		t.Fatalf("bulk message left the old menu live: %v", m)
	}
	if err := a.Deliver(ctx, q); err != nil {
		t.Fatal(err)
	}
	if err := a.Deliver(ctx, conversations.Outbound{To: chatAddr, Text: "Berapa jumlah rapat?"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := menus.Menu(ctx, chatAddr); m != nil {
		t.Fatalf("menu not cleared: %v", m)
	}
	if ttl := rdb.TTL(ctx, prefix+"wa:menu:"+chatAddr.Key()).Val(); ttl > 0 {
		t.Errorf("cleared menu still has ttl %v", ttl)
	}
}

func TestDeliverAttachments(t *testing.T) {
	t.Parallel()
	fc := newFakeClient()
	a := New(fc, nil, nil, Config{})
	ctx := context.Background()
	if err := a.Deliver(ctx, conversations.Outbound{To: chatAddr, Text: "Grafik nilai", Attachment: &conversations.Attachment{Name: "nilai.png", MIME: "image/png", Photo: true, Data: testPNG(t, 600, 300)}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Deliver(ctx, conversations.Outbound{To: chatAddr, Attachment: &conversations.Attachment{Name: "bukti.zip", MIME: "application/zip", Data: []byte("zip")}}); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(fc.sentTexts())
	if got != "[[foto] Grafik nilai [dokumen bukti.zip] ]" || fc.uploads != 2 {
		t.Errorf("sent %s, uploads %d", got, fc.uploads)
	}
	img := fc.sent[0].Msg.GetImageMessage()
	// The chart goes as a JPEG with its size and a thumbnail, so phones preview it.
	if img.GetMimetype() != "image/jpeg" || img.GetWidth() != 600 || img.GetHeight() != 300 || img.GetDirectPath() != "/u" {
		t.Errorf("image message %+v", img)
	}
	if _, err := jpeg.Decode(bytes.NewReader(fc.uploaded[0])); err != nil {
		t.Errorf("uploaded picture is no JPEG: %v", err)
	}
	thumb, err := jpeg.Decode(bytes.NewReader(img.GetJPEGThumbnail()))
	if err != nil || thumb.Bounds().Dx() != 96 || thumb.Bounds().Dy() != 48 {
		t.Errorf("thumbnail %v, %v", thumb, err)
	}
	// Something that is no picture still arrives, as a document.
	if err := a.Deliver(ctx, conversations.Outbound{To: chatAddr, Attachment: &conversations.Attachment{Name: "rusak.png", MIME: "image/png", Photo: true, Data: []byte("png")}}); err != nil {
		t.Fatal(err)
	}
	if d := fc.sent[2].Msg.GetDocumentMessage(); d.GetFileName() != "rusak.png" {
		t.Errorf("broken picture sent as %v", fc.sent[2].Msg)
	}
}

// testPNG draws a w×h PNG with a transparent half, like a rendered chart.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w / 2 {
		for y := range h {
			img.Set(x, y, color.NRGBA{R: 200, G: 30, B: 30, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeliverClassifiesErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		err  error
		want string
	}{
		{whatsmeow.ErrIQRateOverLimit, "retry"},
		{whatsmeow.ErrNotConnected, "temporary"},
		{whatsmeow.ErrIQTimedOut, "temporary"},
		{fmt.Errorf("%w 463", whatsmeow.ErrServerReturnedError), "rejected"},
		{fmt.Errorf("%w 503", whatsmeow.ErrServerReturnedError), "temporary"},
		{whatsmeow.ErrRecipientADJID, "blocked"},
		{whatsmeow.ErrNotInGroup, "blocked"},
	}
	for _, tt := range tests {
		fc := newFakeClient()
		fc.sendErr = tt.err
		err := New(fc, nil, nil, Config{}).Deliver(ctx, conversations.Outbound{To: chatAddr, Text: "x"})
		var ra *outbound.RetryAfterError
		var tmp *outbound.TemporaryError
		got := "other"
		var rej *RejectedError
		switch {
		case errors.As(err, &rej) && rej.Code == 463:
			got = "rejected"
		case errors.As(err, &ra) && ra.After > 0:
			got = "retry"
		case errors.As(err, &tmp):
			got = "temporary"
		case errors.Is(err, outbound.ErrBlocked):
			got = "blocked"
		}
		if got != tt.want {
			t.Errorf("%v: classified %s (%v), want %s", tt.err, got, err, tt.want)
		}
	}
	// A chat id that is no JID can never be written to.
	err := New(newFakeClient(), nil, nil, Config{}).Deliver(ctx, conversations.Outbound{To: conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: ""}, Text: "x"})
	if !errors.Is(err, outbound.ErrBlocked) {
		t.Errorf("empty chat id: %v", err)
	}
}
