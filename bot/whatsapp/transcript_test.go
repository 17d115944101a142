package whatsapp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/conversations"
)

// TestTranscripts replays dialogues through the WhatsApp adapter into the real engine,
// Postgres and Redis: every console transcript (consoletest.Transcripts: the same
// dialogues, unchanged, so a new one joins this run by itself) and WhatsApp's own in
// testdata/. Each typed line becomes a hand-built *events.Message; the replies are what
// the fake client was asked to send to that chat. The format is consoletest.Run's, where
// on WhatsApp
//
//	> /kirim A B     sends each file as a WhatsApp document (names kept)
//	> /foto A        sends a photo (WhatsApp gives it no name: "foto-<id>.jpg")
//	> /hilang A      sends a document whose media has expired on WhatsApp's servers
//	> /suara         sends a voice note
//	@as NAME lid     speaks as NAME from a chat WhatsApp addresses by a hidden @lid id
//	@as NAME group   speaks as NAME in the region's digest group
//	@press DATA      a button of an earlier message, as Telegram could press it
//	@phonebook       klabot serve's WHATSAPP_BIND_BY_PHONE is on
//	@read N          N read receipts (blue ticks) were sent so far
//	@retries N       N media retry receipts were sent so far
//	@identity NAME   NAME's phone is bound to NAME
func TestTranscripts(t *testing.T) {
	t.Parallel()
	own, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(own) == 0 {
		t.Fatalf("no whatsapp transcripts: %v", err)
	}
	for _, f := range append(consoletest.Transcripts(t), own...) {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			w := newWAWorld(t)
			consoletest.Run(t, f, w.World, &waChannel{w: w, cur: speaker{name: "budi"}})
		})
	}
}

type speaker struct {
	name  string
	lid   bool // from a chat WhatsApp addresses by a hidden @lid id
	group bool // in the digest group
	// lidOnly: by a hidden @lid id whose phone number WhatsApp does not reveal (no
	// SenderAlt, nothing in the device store).
	lidOnly bool
}

// lidOf is s's stable hidden id.
func (w *waWorld) lidOf(name string) string { return "9" + w.phone(name)[2:] }

// replyChat is where klabot answers s.
func (w *waWorld) replyChat(s speaker) types.JID {
	if s.group {
		return digestGrp
	}
	if s.lidOnly {
		return types.NewJID(w.lidOf(s.name), types.HiddenUserServer)
	}
	return types.NewJID(w.phone(s.name), types.DefaultUserServer)
}

// info is the MessageInfo of a new message from s, as whatsmeow fills it.
func (w *waWorld) info(s speaker) types.MessageInfo {
	pn := w.phone(s.name)
	info := types.MessageInfo{
		MessageSource: types.MessageSource{
			Chat:   types.NewJID(pn, types.DefaultUserServer),
			Sender: types.NewADJID(pn, 0, 1),
		},
		ID: types.MessageID(w.nextID()), PushName: s.name, Timestamp: w.Clock.Now(),
	}
	if s.group {
		info.Chat, info.IsGroup = digestGrp, true
	}
	if s.lid || s.lidOnly {
		lid := w.lidOf(s.name)
		info.Chat = types.NewJID(lid, types.HiddenUserServer)
		info.Sender = types.JID{User: lid, Server: types.HiddenUserServer, Device: 1}
		info.SenderAlt = types.NewADJID(pn, 0, 1)
		info.AddressingMode = types.AddressingModeLID
		if s.lidOnly {
			info.SenderAlt = types.JID{}
		}
	}
	return info
}

// events turns one typed line into the messages WhatsApp would deliver.
func (w *waWorld) events(t testing.TB, s speaker, line string) []any {
	word, rest, _ := strings.Cut(line, " ")
	media := func(name string) ([]byte, string) {
		data, err := os.ReadFile(filepath.Join(w.FileDir, name))
		if err != nil {
			t.Fatalf("no @file %s: %v", name, err)
		}
		path := "/m/" + w.nextID()
		w.fc.mu.Lock()
		w.fc.media[path] = data
		w.fc.mu.Unlock()
		return data, path
	}
	var evts []any
	switch word {
	case "/kirim", "/hilang":
		for _, name := range strings.Fields(rest) {
			data, path := media(name)
			if word == "/hilang" {
				path += "-expired"
			}
			evts = append(evts, &events.Message{Info: w.info(s), Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
				FileName: proto.String(name), Mimetype: proto.String(mimeOf(name)), FileLength: proto.Uint64(uint64(len(data))),
				DirectPath: proto.String(path), MediaKey: []byte("k"),
			}}})
		}
	case "/foto":
		for _, name := range strings.Fields(rest) {
			data, path := media(name)
			evts = append(evts, &events.Message{Info: w.info(s), Message: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
				Mimetype: proto.String(mimeOf(name)), FileLength: proto.Uint64(uint64(len(data))),
				DirectPath: proto.String(path), MediaKey: []byte("k"),
			}}})
		}
	case "/suara":
		evts = append(evts, &events.Message{Info: w.info(s), Message: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true)}}})
	default:
		evts = append(evts, &events.Message{Info: w.info(s), Message: &waE2E.Message{Conversation: proto.String(line)}})
	}
	return evts
}

func mimeOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return "application/pdf"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".webp":
		return "image/webp"
	case ".gif":
		return "image/gif"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".doc":
		return "application/msword"
	case ".xls":
		return "application/vnd.ms-excel"
	case ".zip":
		return "application/zip"
	}
	return "text/plain"
}

// waChannel speaks to the adapter as whatsmeow would.
type waChannel struct {
	w    *waWorld
	cur  speaker
	last []any          // the latest line's events, for @dup
	mark map[string]int // per person: how many messages were sent when their chat last looked
}

// looked notes that the current speaker has seen everything sent so far.
func (c *waChannel) looked(name string) {
	c.w.fc.mu.Lock()
	if c.mark == nil {
		c.mark = map[string]int{}
	}
	c.mark[name] = len(c.w.fc.sent)
	c.w.fc.mu.Unlock()
}

func (c *waChannel) Say(text string) (string, error) {
	c.last = c.w.events(c.w.T, c.cur, text)
	defer c.looked(c.cur.name)
	return c.w.deliver(c.w.replyChat(c.cur), c.last...), nil
}

func (c *waChannel) Directive(d *consoletest.Directive) bool {
	w := c.w
	switch d.Name() {
	case "as":
		f := d.Fields
		c.cur = speaker{name: d.Arg(1), lid: len(f) > 2 && f[2] == "lid", group: len(f) > 2 && f[2] == "group", lidOnly: len(f) > 2 && f[2] == "lidonly"}
	case "dup": // WhatsApp delivers the same messages again (same ids)
		d.Replied(w.deliver(w.replyChat(c.cur), c.last...), nil)
		c.looked(c.cur.name)
	case "inbox": // what others' steps sent to NAME's chat since NAME last looked
		who := speaker{name: d.Arg(1)}
		c.w.fc.mu.Lock()
		from := c.mark[who.name]
		c.w.fc.mu.Unlock()
		d.Replied(w.sentSince(w.replyChat(who), from), nil)
		c.looked(who.name)
	case "press": // a button of an earlier message, as Telegram could press it
		in := conversations.Inbound{Address: conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: w.replyChat(c.cur).String()},
			SenderID: w.phone(c.cur.name), MessageID: w.nextID(), Button: d.Arg(1), At: w.Clock.Now()}
		d.Replied(w.deliverInbound(w.replyChat(c.cur), in), nil)
		c.looked(c.cur.name)
	case "nostate":
		if k := w.StateKey(w.phone(c.cur.name)); k != "" {
			d.Fatalf("state stored for %s: %s", c.cur.name, k)
		}
	case "restart":
		w.restart()
		c.last = nil // as the console: a restarted klabot has no last line to redeliver
	case "phonebook": // klabot serve's WHATSAPP_BIND_BY_PHONE
		w.adapter.SetPhonebook(w.Store, true)
	case "read": // read receipts (blue ticks) sent so far
		w.fc.mu.Lock()
		got := len(w.fc.read)
		w.fc.mu.Unlock()
		d.Expect("read receipts", got, d.Num(1))
	case "retries":
		w.fc.mu.Lock()
		got := len(w.fc.retries)
		w.fc.mu.Unlock()
		d.Expect("media retry receipts", got, d.Num(1))
	case "lididentity": // the person's identity by their hidden id alone
		var person int64
		consoletest.Must(w.T, w.Store.Pool().QueryRow(w.Ctx, `SELECT person_id FROM identities WHERE channel='whatsapp' AND external_id=$1`,
			"lid:"+w.lidOf(d.Arg(1))).Scan(&person))
		d.Expect("person of "+d.Arg(1)+"'s lid", person, w.People[d.Arg(1)])
	case "identity":
		var person int64
		consoletest.Must(w.T, w.Store.Pool().QueryRow(w.Ctx, `SELECT person_id FROM identities WHERE channel='whatsapp' AND external_id=$1`,
			w.phone(d.Arg(1))).Scan(&person))
		d.Expect("person of "+d.Arg(1)+"'s phone", person, w.People[d.Arg(1)])
	default:
		return false
	}
	return true
}
