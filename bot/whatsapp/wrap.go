package whatsapp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/klabot/klabot/conversations"
)

// Engine applies one inbound message and returns the replies (conversations.Engine).
type Engine interface {
	Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error)
}

// The texts the adapter answers by itself, before the engine: Indonesian, and English for
// people who chose it.
var (
	textDownloadFailed = map[string]string{
		"id": "Maaf, file %q tidak bisa diunduh dari WhatsApp. Mohon kirim ulang file tersebut.",
		"en": "Sorry, the file %q could not be downloaded from WhatsApp. Please send it again.",
	}
	textUnsupported = map[string]string{
		"id": "Maaf, klabot hanya bisa membaca teks, foto, dan dokumen (PDF, Word, Excel). Pesan suara, video, stiker, dan lokasi belum bisa diproses.",
		"en": "Sorry, klabot reads only text, photos and documents (PDF, Word, Excel). Voice notes, videos, stickers and locations cannot be processed yet.",
	}
	textViewOnce = map[string]string{
		"id": "Maaf, foto/video \"sekali lihat\" tidak bisa dibuka klabot. Mohon kirim ulang sebagai foto atau dokumen biasa.",
		"en": "Sorry, klabot cannot open \"view once\" photos or videos. Please send it again as a normal photo or document.",
	}
	textEdit = map[string]string{
		"id": "Maaf, klabot tidak membaca pesan yang diedit. Mohon kirim jawaban yang benar sebagai pesan baru.",
		"en": "Sorry, klabot does not read edited messages. Please send the correct answer as a new message.",
	}
	textUndecryptable = map[string]string{
		"id": "Maaf, pesan Anda tidak terbaca oleh klabot (gangguan enkripsi WhatsApp). Mohon kirim ulang pesan tersebut.",
		"en": "Sorry, klabot could not read your message (a WhatsApp encryption problem). Please send it again.",
	}
	notices = map[string]map[string]string{
		noticeUnsupported: textUnsupported, noticeViewOnce: textViewOnce,
		noticeEdit: textEdit, noticeUndecryptable: textUndecryptable,
	}
)

// language is the sender's language when the phonebook knows them, else Indonesian.
func (a *Adapter) language(ctx context.Context, in conversations.Inbound) string {
	a.mu.Lock()
	pb := a.phonebook
	a.mu.Unlock()
	if pb == nil {
		return "id"
	}
	if p, err := pb.PersonByIdentity(ctx, conversations.ChannelWhatsApp, in.SenderID); err == nil && p.Language == "en" {
		return "en"
	}
	return "id"
}

// Wrap returns the handler the WhatsApp dispatcher runs: in the dispatcher's worker (per
// chat, in order) it maps a numeric reply to the chat's last menu, binds a sender the
// roster knows by phone (SetPhonebook), downloads the files of
// the message (WhatsApp media disappears after a while, so it is fetched on arrival), and
// then hands the message to next. A failed download is answered directly — the phone was
// already asked to re-upload — and the engine does not see the message.
func (a *Adapter) Wrap(next Engine) Engine { return wrapped{a: a, next: next} }

type wrapped struct {
	a    *Adapter
	next Engine
}

func (w wrapped) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	if in.Channel != conversations.ChannelWhatsApp {
		return w.next.Handle(ctx, in)
	}
	a := w.a
	a.mu.Lock()
	m := a.pending[in.MessageID]
	a.mu.Unlock()
	// Blue ticks once klabot has dealt with the message (answered, or asked again).
	defer a.markRead(ctx, in.MessageID)
	if m.lid != "" {
		a.linkLID(ctx, in, m.lid)
	}
	if in.Text == "" && len(in.Files) == 0 && in.Button == "" {
		texts := notices[m.notice]
		if texts == nil {
			texts = textUnsupported
		}
		return []conversations.Outbound{{To: in.Address, Text: texts[a.language(ctx, in)]}}, nil
	}
	if in.Button == "" && len(in.Files) == 0 {
		if n := menuChoice(in.Text); n > 0 && a.menus != nil {
			menu, err := a.menus.Menu(ctx, in.Address)
			if err != nil {
				a.log.Warn("whatsapp: menu lookup; passing the number on as text", "chat", in.ChatID, "err", err)
			}
			if n <= len(menu) {
				in.Button = menu[n-1]
				in.Text = ""
			}
		}
	}
	a.bindByPhone(ctx, in)
	in.Files = slices.Clone(in.Files)
	for i, f := range in.Files {
		if f.Size > a.cfg.MaxFileBytes {
			continue // the engine refuses it by its declared size; nothing to fetch
		}
		data, err := readAll(ctx, f, a.cfg.MaxFileBytes)
		if err != nil {
			a.log.Warn("whatsapp: media download failed; asked the phone to re-upload", "chat", in.ChatID, "message", in.MessageID, "err", err)
			return []conversations.Outbound{{To: in.Address, Text: fmt.Sprintf(textDownloadFailed[a.language(ctx, in)], f.Name)}}, nil
		}
		if f.Size == 0 {
			f.Size = int64(len(data))
		}
		f.Open = func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}
		in.Files[i] = f
	}
	return w.next.Handle(ctx, in)
}

// readAll opens f and reads at most limit+1 bytes, so that an oversized file is still seen
// as oversized by the engine without holding more than that in memory.
func readAll(ctx context.Context, f conversations.File, limit int64) ([]byte, error) {
	rc, err := f.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit+1))
}
