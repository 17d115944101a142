package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waMmsRetry"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"go.mau.fi/whatsmeow/util/gcmutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"
	"google.golang.org/protobuf/proto"

	"github.com/klabot/klabot/conversations"
)

// openFile downloads the first file of the event through the adapter.
func openFile(t *testing.T, a *Adapter, e *events.Message) ([]byte, error) {
	t.Helper()
	in, ok := a.Inbound(context.Background(), e)
	if !ok || len(in.Files) != 1 {
		t.Fatalf("no file: %+v", in)
	}
	rc, err := in.Files[0].Open(context.Background())
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func TestDownloadWarningsAndErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    []byte
		err     error
		ok      bool
		retried bool
	}{
		{"length mismatch is only a warning", []byte("jpg"), fmt.Errorf("%w: expected 9, got 3", whatsmeow.ErrFileLengthMismatch), true, false},
		{"plaintext hash mismatch is only a warning", []byte("jpg"), whatsmeow.ErrInvalidMediaSHA256, true, false},
		{"network error: no retry receipt", nil, errors.New("dial tcp: i/o timeout"), false, false},
		{"server 500: no retry receipt", nil, errors.New("download failed with status code 500"), false, false},
		{"403 asks the phone", nil, whatsmeow.ErrMediaDownloadFailedWith403, false, true},
		{"404 asks the phone", nil, whatsmeow.ErrMediaDownloadFailedWith404, false, true},
		{"410 asks the phone", nil, whatsmeow.ErrMediaDownloadFailedWith410, false, true},
		{"no URL asks the phone", nil, whatsmeow.ErrNoURLPresent, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fc := newFakeClient()
			if tt.data != nil {
				fc.media["/m/1"] = tt.data
			}
			fc.downloads["/m/1"] = tt.err
			a := New(fc, nil, nil, Config{MediaRetryWait: 10 * time.Millisecond})
			data, err := openFile(t, a, imageEvent("W0000001", "/m/1", "", 9))
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && string(data) != "jpg" {
				t.Errorf("data %q", data)
			}
			if !tt.ok && !errors.Is(err, conversations.ErrUnavailable) {
				t.Errorf("error %v is no ErrUnavailable", err)
			}
			if got := len(fc.retries) > 0; got != tt.retried {
				t.Errorf("media retry receipt sent: %v, want %v", got, tt.retried)
			}
		})
	}
}

// mediaRetryEvent builds the phone's answer to a retry receipt as whatsmeow parses it:
// the notification with the new direct path, encrypted with a key derived from the
// media key (the same derivation as whatsmeow's mediaretry.go).
func mediaRetryEvent(t *testing.T, id types.MessageID, mediaKey []byte, result waMmsRetry.MediaRetryNotification_ResultType, path string) *events.MediaRetry {
	t.Helper()
	plain, err := proto.Marshal(&waMmsRetry.MediaRetryNotification{StanzaID: proto.String(string(id)), DirectPath: proto.String(path), Result: result.Enum()})
	if err != nil {
		t.Fatal(err)
	}
	iv := []byte("twelve bytes")
	key := hkdfutil.SHA256(mediaKey, nil, []byte("WhatsApp Media Retry Notification"), 32)
	ct, err := gcmutil.Encrypt(key, iv, plain, []byte(id))
	if err != nil {
		t.Fatal(err)
	}
	return &events.MediaRetry{Ciphertext: ct, IV: iv, MessageID: id, ChatID: pnJID, Timestamp: time.Now()}
}

// An expired photo: the phone is asked to upload it again, answers with a new path, and
// the download is repeated from there — the person notices nothing.
func TestMediaRetryDownloadsFromTheNewPath(t *testing.T) {
	t.Parallel()
	fc := newFakeClient()
	fc.media["/new/path"] = []byte("jpeg again")
	a := New(fc, nil, nil, Config{MediaRetryWait: 5 * time.Second})
	evt := imageEvent("RETRY001", "/expired", "SK", 10)
	fc.retried = func(info *types.MessageInfo) {
		// whatsmeow hands the phone's answer to the event handlers.
		a.HandleEvent(context.Background(), mediaRetryEvent(t, info.ID, []byte("mk"), waMmsRetry.MediaRetryNotification_SUCCESS, "/new/path"))
	}
	data, err := openFile(t, a, evt)
	if err != nil || string(data) != "jpeg again" {
		t.Fatalf("data %q, %v", data, err)
	}
	if len(fc.retries) != 1 || fc.retries[0] != "RETRY001" {
		t.Errorf("retry receipts %v", fc.retries)
	}

	// The phone no longer has it: the download fails (the person is asked to resend).
	fc.retried = func(info *types.MessageInfo) {
		a.HandleEvent(context.Background(), mediaRetryEvent(t, info.ID, []byte("mk"), waMmsRetry.MediaRetryNotification_NOT_FOUND, ""))
	}
	if _, err := openFile(t, a, imageEvent("RETRY002", "/expired", "", 10)); err == nil || !strings.Contains(err.Error(), "NOT_FOUND") {
		t.Errorf("phone without the media: %v", err)
	}
	// An unencrypted error answer (code 2: not on the phone).
	fc.retried = func(info *types.MessageInfo) {
		a.HandleEvent(context.Background(), &events.MediaRetry{MessageID: info.ID, Error: &events.MediaRetryError{Code: 2}})
	}
	if _, err := openFile(t, a, imageEvent("RETRY003", "/expired", "", 10)); !errors.Is(err, conversations.ErrUnavailable) {
		t.Errorf("media retry error: %v", err)
	}
}

// Messages the engine cannot read get a short explanation instead of silence.
func TestNoticesInsteadOfSilence(t *testing.T) {
	t.Parallel()
	fc := newFakeClient()
	a := New(fc, nil, nil, Config{UndecryptableWait: 20 * time.Millisecond})
	eng := &countingEngine{}
	sub := &replySubmitter{h: a.Wrap(eng), a: a}
	a.SetSubmitter(sub)
	ctx := context.Background()

	viewOnce := imageEvent("VO000001", "/v/1", "", 5)
	viewOnce.IsViewOnce = true
	viewOnce.Message.ImageMessage.ViewOnce = proto.Bool(true)
	a.HandleEvent(ctx, viewOnce)

	// Undecryptable, and never resent: told after the wait.
	a.HandleEvent(ctx, &events.UndecryptableMessage{Info: dm("UNDEC001", pnDevice)})
	// Undecryptable, then resent decrypted (whatsmeow's retry receipt worked): no notice.
	a.HandleEvent(ctx, &events.UndecryptableMessage{Info: dm("UNDEC002", pnDevice)})
	a.HandleEvent(ctx, textEvent("UNDEC002", "ya"))
	// In a group nothing is said.
	grp := dm("UNDEC003", pnDevice)
	grp.Chat, grp.IsGroup = digestGrp, true
	a.HandleEvent(ctx, &events.UndecryptableMessage{Info: grp})

	time.Sleep(100 * time.Millisecond)
	got := strings.Join(fc.sentTexts(), "\n")
	for _, want := range []string{"sekali lihat", "tidak terbaca"} {
		if strings.Count(got, want) != 1 {
			t.Errorf("replies lack one %q:\n%s", want, got)
		}
	}
	if n := len(fc.sentTexts()); n != 2 {
		t.Errorf("%d replies, want 2:\n%s", n, got)
	}
	if e := eng.got(); len(e) != 1 || e[0] != "UNDEC002:ya" {
		t.Errorf("engine saw %v", e)
	}
}

// replySubmitter handles at once and delivers the replies (no dispatcher).
type replySubmitter struct {
	h Engine
	a *Adapter
}

func (s *replySubmitter) Submit(ctx context.Context, in conversations.Inbound, done func(error)) error {
	outs, err := s.h.Handle(ctx, in)
	for _, o := range outs {
		s.a.Deliver(ctx, o)
	}
	if done != nil {
		done(err)
	}
	return nil
}
