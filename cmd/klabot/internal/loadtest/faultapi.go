package loadtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FaultAPI is the Telegram Bot API of the fault run, on loopback: it keeps every message
// the bot sent, per bot and chat, with its arrival time (what the simulated person has
// seen, and when), serves the simulated documents with a configurable delay per file,
// counts downloads in flight, and can answer 429 to every send for a while (a flood ban,
// retry_after counting down). It does not pace the bot itself: klabot's sender keeps
// Telegram's limits (30 messages/s, one per second per chat), as in production.
type FaultAPI struct {
	URL string

	srv       *http.Server
	ln        net.Listener
	mu        sync.Mutex
	bots      map[string]*fakeBot // by token
	files     map[string][]byte   // file id -> content
	slow      map[string]time.Duration
	banUntil  time.Time
	throttled atomic.Int64
	inflight  atomic.Int64
	downloads atomic.Int64
}

type fakeBot struct {
	sends atomic.Int64 // messages the bot sent (their ids are per chat: chatLog.next)
	mu    sync.Mutex
	chats map[string]*chatLog
}

// chatLog is what one chat received, in order.
type chatLog struct {
	mu   sync.Mutex
	seq  int // the chat's last message_id, the bot's or the person's (one sequence, as in Telegram)
	msgs []Delivered
	wake chan struct{} // closed and replaced on each message
}

// Delivered is one message the bot sent to a chat.
type Delivered struct {
	Reply
	At time.Time
}

// StartFaultAPI listens on 127.0.0.1 for the given bot tokens.
func StartFaultAPI(tokens ...string) (*FaultAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &FaultAPI{URL: "http://" + ln.Addr().String(), ln: ln, bots: map[string]*fakeBot{},
		files: map[string][]byte{}, slow: map[string]time.Duration{}}
	for _, t := range tokens {
		a.bots[t] = &fakeBot{chats: map[string]*chatLog{}}
	}
	a.srv = &http.Server{Handler: http.HandlerFunc(a.serve)}
	go a.srv.Serve(ln) //nolint:errcheck // ends with Close
	return a, nil
}

// Addr is the API's host:port (for a proxy in front of it).
func (a *FaultAPI) Addr() string { return a.ln.Addr().String() }

// Close stops the server.
func (a *FaultAPI) Close() { a.srv.Close() }

// AddFile makes content downloadable as fileID, each download taking delay.
func (a *FaultAPI) AddFile(fileID string, content []byte, delay time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.files[fileID] = content
	a.slow[fileID] = delay
}

// SlowAll makes every download of the given files take delay.
func (a *FaultAPI) SlowAll(delay time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id := range a.slow {
		a.slow[id] = delay
	}
}

// Ban answers 429 to every send until d has passed, with retry_after counting down (at
// most maxRetry seconds), like Telegram's flood control.
func (a *FaultAPI) Ban(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.banUntil = time.Now().Add(d)
}

// Throttled is the number of 429 answers so far.
func (a *FaultAPI) Throttled() int64 { return a.throttled.Load() }

// InFlight is the number of file downloads started and not finished.
func (a *FaultAPI) InFlight() int64 { return a.inflight.Load() }

// Downloads is the number of file downloads started.
func (a *FaultAPI) Downloads() int64 { return a.downloads.Load() }

func (a *FaultAPI) bot(token string) *fakeBot {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.bots[token]
}

func (b *fakeBot) chat(id string) *chatLog {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[id]
	if c == nil {
		c = &chatLog{wake: make(chan struct{})}
		b.chats[id] = c
	}
	return c
}

// Messages returns what the bot of token sent to chat, in order.
func (a *FaultAPI) Messages(token, chat string) []Delivered {
	c := a.bot(token).chat(chat)
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Delivered(nil), c.msgs...)
}

// Sends is the number of messages the bot of token sent, over all chats.
func (a *FaultAPI) Sends(token string) int64 { return a.bot(token).sends.Load() }

// wait returns the chat's messages from index from on, waiting until there is one or
// the timer fires or stop is closed.
func (c *chatLog) wait(from int, timeout <-chan time.Time, stop <-chan struct{}) []Delivered {
	for {
		c.mu.Lock()
		if len(c.msgs) > from {
			out := append([]Delivered(nil), c.msgs[from:]...)
			c.mu.Unlock()
			return out
		}
		wake := c.wake
		c.mu.Unlock()
		select {
		case <-wake:
		case <-timeout:
			return nil
		case <-stop:
			return nil
		}
	}
}

// next numbers the chat's next message, the bot's or the person's.
func (c *chatLog) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return c.seq
}

// NextMessageID numbers a message a person writes in chat to the bot of token now: in a
// Telegram chat the bot's messages and the person's share one increasing message_id
// sequence.
func (a *FaultAPI) NextMessageID(token, chat string) int {
	return a.bot(token).chat(chat).next()
}

func (c *chatLog) add(d Delivered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, d)
	close(c.wake)
	c.wake = make(chan struct{})
}

func (a *FaultAPI) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		token, path, _ := strings.Cut(rest, "/")
		if a.bot(token) == nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		id := strings.TrimPrefix(path, "documents/")
		a.mu.Lock()
		data, delay := a.files[id], a.slow[id]
		a.mu.Unlock()
		if data == nil {
			http.NotFound(w, r)
			return
		}
		a.downloads.Add(1)
		a.inflight.Add(1)
		defer a.inflight.Add(-1)
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
		return
	}
	rest, _ := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	b := a.bot(token)
	if b == nil {
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
	case "sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup":
		a.mu.Lock()
		left := time.Until(a.banUntil)
		a.mu.Unlock()
		if left > 0 {
			a.throttled.Add(1)
			retry := int(math.Ceil(min(left, 5*time.Second).Seconds()))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(429)
			fmt.Fprintf(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`, retry, retry)
			return
		}
	}
	switch method {
	case "getMe":
		id, _, _ := strings.Cut(token, ":")
		n, _ := strconv.ParseInt(id, 10, 64)
		writeAPI(w, 200, map[string]any{"id": n, "is_bot": true, "first_name": "KLA", "username": "klabot_faults_bot"}, "")
	case "sendMessage", "sendPhoto", "sendDocument":
		b.sends.Add(1)
		id := b.chat(chatID).next()
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
					for _, bt := range row {
						reply.Buttons = append(reply.Buttons, bt.CallbackData)
					}
				}
			}
		}
		b.chat(chatID).add(Delivered{Reply: reply, At: time.Now()})
		writeAPI(w, 200, message(id, chatID, text), "")
	case "editMessageText", "editMessageReplyMarkup":
		id, _ := strconv.Atoi(r.FormValue("message_id"))
		writeAPI(w, 200, message(id, chatID, r.FormValue("text")), "")
	case "getFile":
		id := r.FormValue("file_id")
		a.mu.Lock()
		data := a.files[id]
		a.mu.Unlock()
		if data == nil {
			writeAPI(w, 400, nil, "Bad Request: invalid file_id")
			return
		}
		writeAPI(w, 200, map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_size": len(data), "file_path": "documents/" + id}, "")
	case "answerCallbackQuery", "setWebhook", "deleteWebhook", "setMyCommands":
		writeAPI(w, 200, true, "")
	case "getWebhookInfo":
		writeAPI(w, 200, map[string]any{"url": "", "pending_update_count": 0}, "")
	default:
		writeAPI(w, 404, nil, "Not Found: method not found")
	}
}
