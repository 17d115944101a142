package loadtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// SinkBotAPI is a minimal Telegram Bot API on loopback for the webhook load: it takes
// every send at once and hands each message to the simulated person of its chat. Unlike
// bot/telegram/fakebotapi (the test fake, which records every call under one lock for
// assertions), it keeps nothing but counters, so it neither grows nor serialises the load
// it measures. It serves getFile and file downloads for the simulated documents.
type SinkBotAPI struct {
	URL   string
	Token string

	srv   *http.Server
	ln    net.Listener
	sends atomic.Int64
	other atomic.Int64
	chats sync.Map // chat id -> chan Reply
	seqs  sync.Map // chat id -> *atomic.Int64: the chat's last message_id, the bot's or the person's
	files map[string]*SimFile
}

// StartSinkBotAPI listens on 127.0.0.1 for the bot token; files are the documents the
// simulated people upload.
func StartSinkBotAPI(token string, files []*SimFile) (*SinkBotAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &SinkBotAPI{Token: token, ln: ln, URL: "http://" + ln.Addr().String(), files: map[string]*SimFile{}}
	for _, f := range files {
		s.files[f.ID] = f
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go s.srv.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// Close stops the server.
func (s *SinkBotAPI) Close() { s.srv.Close() }

// Sends is the number of messages the bot sent.
func (s *SinkBotAPI) Sends() int64 { return s.sends.Load() }

// NextMessageID numbers a message written in chat now: in a Telegram chat the bot's
// messages and the person's share one increasing message_id sequence.
func (s *SinkBotAPI) NextMessageID(chatID string) int64 {
	c, ok := s.seqs.Load(chatID)
	if !ok {
		c, _ = s.seqs.LoadOrStore(chatID, new(atomic.Int64))
	}
	return c.(*atomic.Int64).Add(1)
}

// replies returns the channel of a chat's messages.
func (s *SinkBotAPI) replies(chatID string) chan Reply {
	if c, ok := s.chats.Load(chatID); ok {
		return c.(chan Reply)
	}
	c, _ := s.chats.LoadOrStore(chatID, make(chan Reply, 8))
	return c.(chan Reply)
}

func (s *SinkBotAPI) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+s.Token+"/"); ok {
		f := s.files[strings.TrimPrefix(rest, "documents/")]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		w.Write(f.Data)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+s.Token+"/")
	if !ok {
		writeAPI(w, 401, nil, "Unauthorized")
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart && !strings.Contains(err.Error(), "EOF") {
			writeAPI(w, 400, nil, "Bad Request: "+err.Error())
			return
		}
	} else {
		r.ParseForm() //nolint:errcheck // an empty form is fine
	}
	chatID := r.FormValue("chat_id")
	switch method {
	case "getMe":
		writeAPI(w, 200, map[string]any{"id": 1, "is_bot": true, "first_name": "KLA", "username": "klabot_load_bot"}, "")
	case "sendMessage", "sendPhoto", "sendDocument":
		s.sends.Add(1)
		id := int(s.NextMessageID(chatID))
		text := r.FormValue("text")
		if method != "sendMessage" {
			text = r.FormValue("caption")
		}
		reply := Reply{Text: text, ID: id}
		if m := r.FormValue("reply_markup"); m != "" {
			var mk struct {
				InlineKeyboard [][]struct {
					CallbackData string `json:"callback_data"`
				} `json:"inline_keyboard"`
			}
			if json.Unmarshal([]byte(m), &mk) == nil {
				for _, row := range mk.InlineKeyboard {
					for _, b := range row {
						reply.Buttons = append(reply.Buttons, b.CallbackData)
					}
				}
			}
		}
		select {
		case s.replies(chatID) <- reply:
		default: // more than a step ever gets (it waits for its replies): drop, do not block the bot
		}
		writeAPI(w, 200, message(id, chatID, text), "")
	case "editMessageText", "editMessageReplyMarkup":
		s.other.Add(1)
		id, _ := strconv.Atoi(r.FormValue("message_id"))
		writeAPI(w, 200, message(id, chatID, r.FormValue("text")), "")
	case "getFile":
		s.other.Add(1)
		id := r.FormValue("file_id")
		f := s.files[id]
		if f == nil {
			writeAPI(w, 400, nil, "Bad Request: invalid file_id")
			return
		}
		writeAPI(w, 200, map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_size": len(f.Data), "file_path": "documents/" + id}, "")
	case "answerCallbackQuery", "setWebhook", "deleteWebhook", "setMyCommands":
		s.other.Add(1)
		writeAPI(w, 200, true, "")
	default:
		writeAPI(w, 404, nil, "Not Found: method not found")
	}
}

func message(id int, chatID, text string) map[string]any {
	cid, _ := strconv.ParseInt(chatID, 10, 64)
	return map[string]any{"message_id": id, "date": 1700000000, "chat": map[string]any{"id": cid, "type": "private"}, "text": text}
}

func writeAPI(w http.ResponseWriter, code int, result any, desc string) {
	w.Header().Set("Content-Type", "application/json")
	if code != 200 {
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"ok":false,"error_code":%d,"description":%q}`, code, desc)
		return
	}
	b, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	w.Write(b)
}
