package whatsapp

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// engineRecorder is an Engine that records what reached it and reads its files.
type engineRecorder struct {
	mu    sync.Mutex
	ins   []conversations.Inbound
	files []string // name=content
}

func (e *engineRecorder) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ins = append(e.ins, in)
	for _, f := range in.Files {
		rc, err := f.Open(ctx)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		e.files = append(e.files, f.Name+"="+string(b))
	}
	return nil, nil
}

func TestWrapMapsNumberToLastMenu(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	fc := newFakeClient()
	a := New(fc, &RedisMenus{RDB: rdb, Prefix: prefix}, nil, Config{})
	eng := &engineRecorder{}
	h := a.Wrap(eng)
	ctx := context.Background()
	if err := a.Deliver(ctx, conversations.Outbound{To: chatAddr, Text: "Ada Perda KLA?", Buttons: [][]conversations.Button{
		{{Label: "Ya", Data: "ans:Q1:ya"}, {Label: "Sebagian", Data: "ans:Q1:sebagian"}, {Label: "Tidak", Data: "ans:Q1:tidak"}}}}); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"2", " 3. ", "7", "ya"} {
		in, _ := a.Inbound(ctx, textEvent("T-"+text, text))
		if _, err := h.Handle(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, in := range eng.ins {
		got = append(got, "text="+in.Text+" button="+in.Button)
	}
	want := []string{"text= button=ans:Q1:sebagian", "text= button=ans:Q1:tidak", "text=7 button=", "text=ya button="}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("engine saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWrapDownloadsOnArrival(t *testing.T) {
	t.Parallel()
	fc := newFakeClient()
	fc.media["/img/1"] = []byte("JPEG")
	a := New(fc, nil, nil, Config{MaxFileBytes: 100, MediaRetryWait: 10 * time.Millisecond})
	eng := &engineRecorder{}
	h := a.Wrap(eng)
	ctx := context.Background()

	in, _ := a.Inbound(ctx, imageEvent("IMG1", "/img/1", "", 0))
	if _, err := h.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	// The content was fetched in the wrapper: the engine reads it even after the media
	// has disappeared from WhatsApp's servers.
	delete(fc.media, "/img/1")
	if len(eng.ins) != 1 || eng.ins[0].Files[0].Size != 4 {
		t.Fatalf("engine saw %+v", eng.ins)
	}
	rc, err := eng.ins[0].Files[0].Open(ctx)
	if err != nil {
		t.Fatalf("reopen after media vanished: %v", err)
	}
	rc.Close()

	// A failed download: a retry receipt, a request to send again, the engine sees nothing.
	in, _ = a.Inbound(ctx, imageEvent("IMG2", "/img/expired", "", 10))
	replies, err := h.Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "Mohon kirim ulang") || replies[0].To != chatAddr {
		t.Fatalf("replies %+v", replies)
	}
	if len(eng.ins) != 1 || len(fc.retries) != 1 {
		t.Errorf("engine calls %d, retry receipts %v", len(eng.ins), fc.retries)
	}

	// An oversized file is not downloaded; the engine refuses it by its declared size.
	in, _ = a.Inbound(ctx, documentEvent("DOC1", "/doc/unknown", "besar.pdf", "application/pdf", 1000))
	// (engineRecorder opens it and fails: the error proves the wrapper passed it on
	// without trying to fetch it.)
	if _, err := h.Handle(ctx, in); err == nil || len(eng.ins) != 2 || eng.ins[1].Files[0].Size != 1000 {
		t.Errorf("oversized: err %v, engine saw %d messages", err, len(eng.ins))
	}

	// Voice notes get an explanation.
	in = conversations.Inbound{Address: chatAddr, MessageID: "V1"}
	replies, _ = h.Handle(ctx, in)
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "teks, foto, dan dokumen") {
		t.Errorf("voice note replies %+v", replies)
	}
}
