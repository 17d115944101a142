package whatsapp

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/klabot/klabot/conversations"
)

// consoleTranscripts are the console channel's dialogues replayed on WhatsApp. They are
// listed, not globbed, so that a new console transcript needing a new engine dependency
// does not break this package unnoticed: add it here (and the dependency to newWAWorld).
var consoleTranscripts = []string{
	"happy_path", "bad_input", "duplicate_delivery", "navigation", "onboarding", "other_opd",
	"resume_after_redis_loss", "two_focal_points", "english", "roles", "score", "review",
	"evidence_later", "files_first",
}

// TestTranscripts replays dialogues through the WhatsApp adapter into the real engine,
// Postgres and Redis: the console channel's transcripts (the same focal-point dialogue,
// unchanged) and WhatsApp's own in testdata/. Each typed line becomes a hand-built
// *events.Message; the replies are what the fake client was asked to send to that chat.
// The format is the console's (see bot/console/transcript_test.go), where on WhatsApp
//
//	> /kirim A B     sends each file as a WhatsApp document (names kept)
//	> /foto A        sends a photo (WhatsApp gives it no name: "foto-<id>.jpg")
//	> /hilang A      sends a document whose media has expired on WhatsApp's servers
//	> /suara         sends a voice note
//	@as NAME lid     speaks as NAME from a chat WhatsApp addresses by a hidden @lid id
//	@as NAME group   speaks as NAME in the region's digest group
func TestTranscripts(t *testing.T) {
	t.Parallel()
	var files []string
	for _, name := range consoleTranscripts {
		files = append(files, "../console/testdata/"+name+".txt")
	}
	own, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(own) == 0 {
		t.Fatalf("no whatsapp transcripts: %v", err)
	}
	files = append(files, own...)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			runWATranscript(t, f)
		})
	}
}

type speaker struct {
	name  string
	lid   bool // from a chat WhatsApp addresses by a hidden @lid id
	group bool // in the digest group
}

// replyChat is where klabot answers s.
func (w *waWorld) replyChat(s speaker) types.JID {
	if s.group {
		return digestGrp
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
		ID: types.MessageID(w.nextID()), PushName: s.name, Timestamp: w.clock.Now(),
	}
	if s.group {
		info.Chat, info.IsGroup = digestGrp, true
	}
	if s.lid {
		lid := "9" + pn[2:] // a stable hidden id per person
		info.Chat = types.NewJID(lid, types.HiddenUserServer)
		info.Sender = types.JID{User: lid, Server: types.HiddenUserServer, Device: 1}
		info.SenderAlt = types.NewADJID(pn, 0, 1)
		info.AddressingMode = types.AddressingModeLID
	}
	return info
}

// events turns one typed line into the messages WhatsApp would deliver.
func (w *waWorld) events(t testing.TB, s speaker, line string, files map[string][]byte) []any {
	word, rest, _ := strings.Cut(line, " ")
	media := func(name string) ([]byte, string) {
		data, ok := files[name]
		if !ok {
			t.Fatalf("no @file %s", name)
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

func runWATranscript(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := newWAWorld(t)
	cur := speaker{name: "budi"}
	files := map[string][]byte{}
	vars := map[string]string{}
	var reply, lastLine string
	var pos int
	var last []any
	fail := func(n int, format string, args ...any) {
		t.Helper()
		t.Fatalf("%s:%d (after %q): %s\n--- replies ---\n%s", path, n, lastLine, fmt.Sprintf(format, args...), reply)
	}
	for i, line := range strings.Split(string(raw), "\n") {
		n := i + 1
		line = strings.TrimRight(line, " \r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for k, v := range vars {
			line = strings.ReplaceAll(line, "$"+k, v)
		}
		switch {
		case strings.HasPrefix(line, "> "):
			lastLine = line[2:]
			last = w.events(t, cur, line[2:], files)
			reply, pos = w.deliver(w.replyChat(cur), last...), 0
		case line == "<none":
			if strings.TrimSpace(reply) != "" {
				fail(n, "want no reply")
			}
		case strings.HasPrefix(line, "<! "):
			if strings.Contains(reply, line[3:]) {
				fail(n, "replies contain %q", line[3:])
			}
		case strings.HasPrefix(line, "<~ "):
			re, err := regexp.Compile(line[3:])
			if err != nil {
				fail(n, "bad regexp: %v", err)
			}
			loc := re.FindStringIndex(reply[pos:])
			if loc == nil {
				fail(n, "replies do not match %q (from offset %d)", line[3:], pos)
			}
			pos += loc[1]
		case strings.HasPrefix(line, "< "):
			k := strings.Index(reply[pos:], line[2:])
			if k < 0 {
				fail(n, "replies do not contain %q (from offset %d)", line[2:], pos)
			}
			pos += k + len(line[2:])
		case strings.HasPrefix(line, "@"):
			f := strings.Fields(line[1:])
			bad := func(format string, args ...any) { t.Helper(); fail(n, format, args...) }
			arg := func(i int) string {
				if i >= len(f) {
					bad("@%s needs more arguments", f[0])
				}
				return f[i]
			}
			num := func(i int) int {
				v, err := strconv.Atoi(arg(i))
				if err != nil {
					bad("not a number: %q", arg(i))
				}
				return v
			}
			expect := func(what string, got, want any) {
				t.Helper()
				if fmt.Sprint(got) != fmt.Sprint(want) {
					bad("%s: got %v, want %v", what, got, want)
				}
			}
			rest := strings.Join(f[min(2, len(f)):], " ")
			const region = "KOTA-UJI"
			switch f[0] {
			case "as":
				cur = speaker{name: arg(1), lid: len(f) > 2 && f[2] == "lid", group: len(f) > 2 && f[2] == "group"}
			case "dup": // WhatsApp delivers the same messages again (same ids)
				reply, pos = w.deliver(w.replyChat(cur), last...), 0
			case "press": // a button of an earlier message, as Telegram could press it
				in := conversations.Inbound{Address: conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: w.replyChat(cur).String()},
					SenderID: w.phone(cur.name), MessageID: w.nextID(), Button: arg(1), At: w.clock.Now()}
				reply, pos = w.deliverInbound(w.replyChat(cur), in), 0
			case "nostate":
				keys, err := w.rdb.Keys(w.ctx, w.prefix+"state:*").Result()
				must(t, err)
				for _, k := range keys {
					if strings.Contains(k, w.phone(cur.name)) {
						bad("state stored for %s: %s", cur.name, k)
					}
				}
			case "flush":
				iter := w.rdb.Scan(w.ctx, 0, w.prefix+"*", 1000).Iterator()
				for iter.Next(w.ctx) {
					w.rdb.Del(w.ctx, iter.Val())
				}
			case "restart":
				w.restart()
				last = nil // as the console: a restarted klabot has no last line to redeliver
			case "file":
				size := 100
				if len(f) > 3 {
					size = num(3)
				}
				files[arg(1)] = makeFile(t, arg(2), size)
			case "invite":
				ttl := time.Duration(0)
				if len(f) > 3 {
					if ttl, err = time.ParseDuration(arg(3)); err != nil {
						bad("bad ttl: %v", err)
					}
				}
				code, err := w.store.CreateInvite(w.ctx, w.people[arg(1)], ttl)
				must(t, err)
				vars[arg(2)] = code
			case "clock":
				d, err := time.ParseDuration(strings.TrimPrefix(arg(1), "+"))
				if err != nil {
					bad("bad duration: %v", err)
				}
				w.clock.Add(d)
			case "versions":
				expect("versions of "+arg(1), w.queryInt(`SELECT count(*) FROM answers WHERE region_code=$1 AND question_code=$2`, region, arg(1)), num(2))
			case "evidence":
				expect("evidence of "+arg(1), w.queryInt(`SELECT count(*) FROM evidence e JOIN current_answers a ON a.id = e.answer_id
					WHERE a.region_code=$1 AND a.question_code=$2`, region, arg(1)), num(2))
			case "skips":
				expect("skips of "+arg(1), w.queryInt(`SELECT count(*) FROM skips WHERE region_code=$1 AND question_code=$2`, region, arg(1)), num(2))
			case "value":
				var text string
				var number *float64
				must(t, w.store.Pool().QueryRow(w.ctx, `SELECT value_text, value_number FROM current_answers WHERE region_code=$1 AND question_code=$2`,
					region, arg(1)).Scan(&text, &number))
				if text == "" && number != nil {
					text = strconv.FormatFloat(*number, 'f', -1, 64)
				}
				expect("value of "+arg(1), text, rest)
			case "narrative":
				var text string
				must(t, w.store.Pool().QueryRow(w.ctx, `SELECT narrative FROM current_answers WHERE region_code=$1 AND question_code=$2`,
					region, arg(1)).Scan(&text))
				expect("narrative of "+arg(1), text, rest)
			case "blobs":
				expect("stored blobs", blobCount(w.blobDir), num(1))
			case "inbound":
				expect("inbound messages", w.queryInt(`SELECT count(*) FROM inbound_messages`), num(1))
			case "phonebook": // klabot serve's WHATSAPP_BIND_BY_PHONE
				w.adapter.SetPhonebook(w.store, true)
			case "read": // read receipts (blue ticks) sent so far
				w.fc.mu.Lock()
				got := len(w.fc.read)
				w.fc.mu.Unlock()
				expect("read receipts", got, num(1))
			case "retries":
				w.fc.mu.Lock()
				got := len(w.fc.retries)
				w.fc.mu.Unlock()
				expect("media retry receipts", got, num(1))
			case "identity":
				var person int64
				must(t, w.store.Pool().QueryRow(w.ctx, `SELECT person_id FROM identities WHERE channel='whatsapp' AND external_id=$1`, w.phone(arg(1))).Scan(&person))
				expect("person of "+arg(1)+"'s phone", person, w.people[arg(1)])
			default:
				bad("directive @%s has no WhatsApp equivalent", f[0])
			}
		default:
			t.Fatalf("%s:%d: cannot read line %q", path, n, line)
		}
	}
}

func blobCount(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}

// makeFile returns test content of a kind (pdf jpg png webp gif docx xlsx zip doc xls
// txt), padded to about size bytes — the console transcripts' files, byte for byte.
func makeFile(t testing.TB, kind string, size int) []byte {
	var data []byte
	switch kind {
	case "pdf":
		data = []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\n")
		if size == 0 {
			data = nil
		}
	case "jpg":
		data = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, []byte("JFIF\x00")...)
	case "png":
		data = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	case "webp":
		data = []byte("RIFF\x24\x00\x00\x00WEBPVP8 ")
	case "gif":
		data = []byte("GIF89a\x01\x00\x01\x00")
	case "docx", "xlsx", "zip":
		part := map[string]string{"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "zip": "catatan.txt"}[kind]
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		f, _ := zw.Create("[Content_Types].xml")
		f.Write([]byte("<Types/>"))
		f, _ = zw.Create(part)
		f.Write([]byte(strings.Repeat("<x/>", size/4+1)))
		must(t, zw.Close())
		return b.Bytes()
	case "doc", "xls":
		data = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
		data = append(data, make([]byte, 512)...)
		stream := "WordDocument"
		if kind == "xls" {
			stream = "Workbook"
		}
		for _, r := range stream {
			data = append(data, byte(r), 0)
		}
	case "txt":
		data = []byte("ini hanya catatan teks biasa\n")
		if size == 0 {
			data = nil
		}
		for len(data) < size {
			data = append(data, "teks "...)
		}
		return data
	default:
		t.Fatalf("unknown file kind %q", kind)
	}
	for len(data) < size {
		data = append(data, byte(len(data)%251))
	}
	return data
}
