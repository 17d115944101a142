// Package fakebotapi is a fake Telegram Bot API server on 127.0.0.1 for tests. It speaks
// enough of the real protocol for github.com/go-telegram/bot to run unchanged against it:
// getMe, getUpdates (long polling that blocks when empty), sendMessage, sendPhoto,
// sendDocument, editMessageText, editMessageReplyMarkup, answerCallbackQuery, getFile and
// file downloads, setWebhook, deleteWebhook. It records every call, and can throttle
// (429 with retry_after, by rate or on demand), fail with 5xx, or answer 403 for chats that
// "blocked the bot".
package fakebotapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// MaxDownload is the Bot API's limit for getFile: bigger files answer "file is too big".
const MaxDownload = 20 << 20

// Call is one recorded Bot API request.
type Call struct {
	Method string
	Params map[string]string               // form fields as sent (reply_markup is JSON text)
	Files  map[string]Upload               // uploaded files by field name
	At     time.Time                       // arrival
	Status int                             // the error_code answered, 200 on success
	Markup [][]models.InlineKeyboardButton // reply_markup's inline keyboard, when any
}

// ChatID returns the call's chat_id parameter.
func (c Call) ChatID() string { return c.Params["chat_id"] }

// Upload is a file uploaded with sendPhoto or sendDocument.
type Upload struct {
	Name string
	Data []byte
}

// Message is a message the bot sent, as it stands after edits.
type Message struct {
	ID     int
	ChatID string
	Method string // sendMessage, sendPhoto, sendDocument
	Text   string // text or caption
	File   *Upload
	Markup [][]models.InlineKeyboardButton
	Edited bool
}

// Limits make the server answer 429 like Telegram when the bot sends too fast.
type Limits struct {
	PerChat    time.Duration // least gap between two sends to one chat; 0 = no limit
	PerBot     time.Duration // least gap between two sends overall; 0 = no limit
	RetryAfter int           // seconds in the 429 answer. Defaults to 1.
}

type file struct {
	path string
	data []byte
	size int64
}

// Server is a running fake Bot API.
type Server struct {
	URL   string
	Token string

	srv    *httptest.Server
	mu     sync.Mutex
	calls  []Call
	queue  []json.RawMessage // updates not confirmed yet, in update_id order
	ids    []int64
	nextID int64
	arrive chan struct{} // closed and replaced when updates arrive
	closed chan struct{}

	msgs      []*Message
	seq       map[string]int // per chat: the last message_id given, the bot's or the person's
	files     map[string]file
	blocked   map[string]bool
	throttleN int
	fail5xxN  int
	limits    Limits
	lastSend  time.Time
	lastChat  map[string]time.Time
	bannedTil time.Time
	early     []Call
	webhook   map[string]string
	slowFiles time.Duration
	holdFiles chan struct{} // non-nil: downloads wait until it is closed (ReleaseFiles)
	slowSends time.Duration
	downloads int
}

// New starts a fake Bot API for the bot token and stops it when t ends.
func New(t testing.TB, token string) *Server {
	s := Start(token)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake Bot API for the bot token outside a test (the load tool's sender
// benchmark); Close stops it.
func Start(token string) *Server {
	s := &Server{
		Token: token, nextID: 1000, arrive: make(chan struct{}), closed: make(chan struct{}),
		files: map[string]file{}, blocked: map[string]bool{}, lastChat: map[string]time.Time{}, seq: map[string]int{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server, releasing blocked long polls.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
		s.mu.Unlock()
		return
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// AddUpdate queues an update for getUpdates, assigning the next update_id when u has none
// and the chat's next message_id to a message that has none (Number), and returns the
// update_id.
func (s *Server) AddUpdate(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.number(&u)
	if u.ID == 0 {
		s.nextID++
		u.ID = s.nextID
	}
	b, err := json.Marshal(u)
	if err != nil {
		panic(err)
	}
	s.queue = append(s.queue, b)
	s.ids = append(s.ids, u.ID)
	close(s.arrive)
	s.arrive = make(chan struct{})
	return u.ID
}

// Number gives a message from a person that has no message_id (0) the chat's next one,
// as Telegram does when it receives the message: in a chat the bot's messages and the
// person's share one increasing message_id sequence, so a message numbered after a bot
// message was written after that message reached the chat. Updates delivered by webhook
// are numbered with it; AddUpdate does it itself.
func (s *Server) Number(u models.Update) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.number(&u)
	return u
}

func (s *Server) number(u *models.Update) {
	if m := u.Message; m != nil && m.ID == 0 {
		c := strconv.FormatInt(m.Chat.ID, 10)
		s.seq[c]++
		m.ID = s.seq[c]
	}
}

// NextUpdateID reserves an update_id, for updates delivered by webhook instead.
func (s *Server) NextUpdateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return s.nextID
}

// Pending reports how many queued updates the bot has not confirmed yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Unconfirmed reports whether the update is still queued: the bot has not confirmed it
// with a later getUpdates offset, so Telegram would deliver it again.
func (s *Server) Unconfirmed(updateID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.ids {
		if id == updateID {
			return true
		}
	}
	return false
}

// AddFile makes a file downloadable by getFile under fileID.
func (s *Server) AddFile(fileID, path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = file{path: path, data: data, size: int64(len(data))}
}

// AddBigFile registers a file of size bytes with no content (getFile refuses it when over
// MaxDownload, like Telegram).
func (s *Server) AddBigFile(fileID, path string, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = file{path: path, size: size}
}

// Block makes every send to chatID fail with 403 "bot was blocked by the user".
func (s *Server) Block(chatID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Unblock lets sends to chatID through again.
func (s *Server) Unblock(chatID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

// Throttle makes the next n send calls answer 429 with retry_after seconds, and keeps
// answering 429 to sends that arrive before that time is up (like Telegram).
func (s *Server) Throttle(n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleN = n
	s.limits.RetryAfter = retryAfter
}

// SlowFiles makes every file download take d before it answers (a slow upload link).
func (s *Server) SlowFiles(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slowFiles = d
}

// HoldFiles makes every file download wait, from now until ReleaseFiles (or Close):
// a download that hangs.
func (s *Server) HoldFiles() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holdFiles == nil {
		s.holdFiles = make(chan struct{})
	}
}

// ReleaseFiles lets the downloads HoldFiles holds, and every later one, answer.
func (s *Server) ReleaseFiles() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holdFiles != nil {
		close(s.holdFiles)
		s.holdFiles = nil
	}
}

// SlowSends makes every send call take d before it is answered (a slow Bot API): the
// call counts as arriving when it is answered.
func (s *Server) SlowSends(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slowSends = d
}

// Downloads returns how many file downloads were asked for.
func (s *Server) Downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads
}

// Fail5xx makes the next n send calls answer 502.
func (s *Server) Fail5xx(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail5xxN = n
}

// SetLimits makes the server enforce rate limits with 429 answers.
func (s *Server) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
}

// EarlyRetries returns the send calls that arrived while a 429's retry_after was still
// running (a client that does not honour retry_after).
func (s *Server) EarlyRetries() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.early...)
}

// Calls returns the recorded calls, all or of the given methods.
func (s *Server) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages the bot sent to chatID (all chats when empty), in order,
// as they stand after edits.
func (s *Server) Messages(chatID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if chatID == "" || m.ChatID == chatID {
			out = append(out, *m)
		}
	}
	return out
}

// Webhook returns the URL and secret token of the last setWebhook ("" when none).
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook["url"], s.webhook["secret_token"]
}

// WaitFor polls cond until it is true or the timeout passes (then fails t). The timeout
// is only an upper bound for a broken case, never a performance check: it is at least a
// minute, because a loaded CI machine stretches every step.
func (s *Server) WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	timeout = max(timeout, time.Minute)
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("fakebotapi: timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitMessages waits until chatID got at least n messages and returns them.
func (s *Server) WaitMessages(t testing.TB, chatID string, n int) []Message {
	t.Helper()
	s.WaitFor(t, time.Minute, fmt.Sprintf("%d messages to chat %s", n, chatID), func() bool {
		return len(s.Messages(chatID)) >= n
	})
	return s.Messages(chatID)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.download(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || token != s.Token {
		writeError(w, 401, "Unauthorized", 0)
		return
	}
	call := Call{Method: method, Params: map[string]string{}, Files: map[string]Upload{}, At: time.Now(), Status: 200}
	if err := parseForm(r, &call); err != nil {
		writeError(w, 400, "Bad Request: "+err.Error(), 0)
		return
	}
	if m := call.Params["reply_markup"]; m != "" {
		var mk models.InlineKeyboardMarkup
		if json.Unmarshal([]byte(m), &mk) == nil {
			call.Markup = mk.InlineKeyboard
		}
	}
	if method == "getUpdates" {
		s.getUpdates(w, r, call)
		return
	}
	if sendMethods[method] {
		s.mu.Lock()
		d := s.slowSends
		s.mu.Unlock()
		if d > 0 {
			select {
			case <-time.After(d):
			case <-s.closed:
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	status, result, desc, retry := s.answer(&call)
	call.Status = status
	s.calls = append(s.calls, call)
	if status != 200 {
		writeError(w, status, desc, retry)
		return
	}
	writeResult(w, result)
}

func parseForm(r *http.Request, c *Call) error {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseForm(); err != nil {
			return err
		}
		for k, v := range r.Form {
			c.Params[k] = v[0]
		}
		return nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// An empty multipart body (a call with no params) has no closing boundary.
			if strings.Contains(err.Error(), "EOF") {
				return nil
			}
			return err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		if p.FileName() != "" {
			c.Files[p.FormName()] = Upload{Name: p.FileName(), Data: b}
		} else {
			c.Params[p.FormName()] = string(b)
		}
	}
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, call Call) {
	offset, _ := strconv.ParseInt(call.Params["offset"], 10, 64)
	timeout, _ := strconv.Atoi(call.Params["timeout"])
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		// Updates below offset are confirmed: Telegram forgets them.
		for len(s.ids) > 0 && s.ids[0] < offset {
			s.ids, s.queue = s.ids[1:], s.queue[1:]
		}
		if len(s.queue) > 0 || timeout == 0 {
			out := append([]json.RawMessage(nil), s.queue...)
			s.calls = append(s.calls, call)
			s.mu.Unlock()
			if out == nil {
				out = []json.RawMessage{}
			}
			writeResult(w, out)
			return
		}
		arrive := s.arrive
		s.mu.Unlock()
		select {
		case <-arrive:
		case <-deadline:
			timeout = 0
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
}

var sendMethods = map[string]bool{"sendMessage": true, "sendPhoto": true, "sendDocument": true, "editMessageText": true, "editMessageReplyMarkup": true}

// answer decides the reply to one call; s.mu is held.
func (s *Server) answer(c *Call) (status int, result any, desc string, retry int) {
	chatID := c.ChatID()
	if sendMethods[c.Method] {
		now := c.At
		retryAfter := s.limits.RetryAfter
		if retryAfter <= 0 {
			retryAfter = 1
		}
		throttle := func() (int, any, string, int) {
			if until := now.Add(time.Duration(retryAfter) * time.Second); until.After(s.bannedTil) {
				s.bannedTil = until
			}
			return 429, nil, fmt.Sprintf("Too Many Requests: retry after %d", retryAfter), retryAfter
		}
		switch {
		case now.Before(s.bannedTil):
			s.early = append(s.early, *c)
			return throttle()
		case s.throttleN > 0:
			s.throttleN--
			return throttle()
		case s.limits.PerBot > 0 && !s.lastSend.IsZero() && now.Sub(s.lastSend) < s.limits.PerBot:
			return throttle()
		case s.limits.PerChat > 0 && !s.lastChat[chatID].IsZero() && now.Sub(s.lastChat[chatID]) < s.limits.PerChat:
			return throttle()
		case s.fail5xxN > 0:
			s.fail5xxN--
			return 502, nil, "Bad Gateway", 0
		case s.blocked[chatID]:
			return 403, nil, "Forbidden: bot was blocked by the user", 0
		}
		s.lastSend, s.lastChat[chatID] = now, now
	}
	switch c.Method {
	case "getMe":
		return 200, map[string]any{"id": 1, "is_bot": true, "first_name": "KLA", "username": "klabot_test_bot"}, "", 0
	case "sendMessage", "sendPhoto", "sendDocument":
		s.seq[chatID]++
		m := &Message{ID: s.seq[chatID], ChatID: chatID, Method: c.Method, Text: c.Params["text"], Markup: c.Markup}
		if c.Method != "sendMessage" {
			m.Text = c.Params["caption"]
			field := map[string]string{"sendPhoto": "photo", "sendDocument": "document"}[c.Method]
			if u, ok := c.Files[field]; ok {
				m.File = &u
			}
		}
		s.msgs = append(s.msgs, m)
		return 200, s.messageJSON(m), "", 0
	case "editMessageText", "editMessageReplyMarkup":
		id, _ := strconv.Atoi(c.Params["message_id"])
		var m *Message
		for _, sm := range s.msgs {
			if sm.ChatID == chatID && sm.ID == id {
				m = sm
			}
		}
		if m == nil {
			return 400, nil, "Bad Request: message to edit not found", 0
		}
		if c.Method == "editMessageText" {
			m.Text = c.Params["text"]
		}
		m.Markup, m.Edited = c.Markup, true
		return 200, s.messageJSON(m), "", 0
	case "answerCallbackQuery", "setWebhook", "deleteWebhook", "setMyCommands":
		if c.Method == "setWebhook" {
			s.webhook = c.Params
		}
		return 200, true, "", 0
	case "getWebhookInfo":
		return 200, map[string]any{"url": s.webhook["url"], "pending_update_count": 0}, "", 0
	case "getFile":
		f, ok := s.files[c.Params["file_id"]]
		if !ok {
			return 400, nil, "Bad Request: invalid file_id", 0
		}
		if f.size > MaxDownload {
			return 400, nil, "Bad Request: file is too big", 0
		}
		return 200, map[string]any{"file_id": c.Params["file_id"], "file_unique_id": "U" + c.Params["file_id"], "file_size": f.size, "file_path": f.path}, "", 0
	}
	return 404, nil, "Not Found: method not found", 0
}

func (s *Server) messageJSON(m *Message) map[string]any {
	id, _ := strconv.ParseInt(m.ChatID, 10, 64)
	typ := "private"
	if id < 0 {
		typ = "group"
	}
	out := map[string]any{"message_id": m.ID, "date": time.Now().Unix(), "chat": map[string]any{"id": id, "type": typ}}
	if m.Method == "sendMessage" {
		out["text"] = m.Text
	} else {
		out["caption"] = m.Text
	}
	if len(m.Markup) > 0 {
		out["reply_markup"] = map[string]any{"inline_keyboard": m.Markup}
	}
	return out
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, rest string) {
	token, path, ok := strings.Cut(rest, "/")
	if !ok || token != s.Token {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	s.downloads++
	slow, hold := s.slowFiles, s.holdFiles
	s.mu.Unlock()
	if slow > 0 {
		time.Sleep(slow)
	}
	if hold != nil {
		select {
		case <-hold:
		case <-s.closed:
		case <-r.Context().Done():
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		if f.path == path && f.data != nil {
			w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
			w.Write(f.data)
			return
		}
	}
	http.NotFound(w, nil)
}

func writeResult(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func writeError(w http.ResponseWriter, code int, desc string, retry int) {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retry > 0 {
		body["parameters"] = map[string]any{"retry_after": retry}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}
