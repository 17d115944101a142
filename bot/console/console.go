// Package console is klabot's terminal channel: a person types lines, the real engine
// answers, replies are printed. Buttons are shown as numbered options and typing the
// number presses the button; "/kirim PATH" sends a file as an upload. It reads any
// io.Reader, so it works interactively, with piped standard input, and in tests.
package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Handler is the engine as the console uses it.
type Handler interface {
	Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error)
}

// Session is one person's console chat.
type Session struct {
	h        Handler
	addr     conversations.Address
	sender   string
	name     string
	nonce    string
	seq      int
	buttons  []conversations.Button // of the latest message shown (none when it had none)
	last     []conversations.Inbound
	Now      func() time.Time
	MaxFiles int // files per "/kirim"; defaults to 10
	// Hub, when set, passes messages a step sends to other console chats (a
	// coordinator's note to a focal point) to those sessions, and this session's own
	// to it: they are shown before its next replies.
	Hub *Hub
	// Forward, when set, queues the messages a step sends to other chats (a
	// coordinator's note to a focal point's Telegram or console chat) durably
	// (outbound.Queue.EnqueueMany). Without it (and without Hub) they are dropped.
	Forward func(ctx context.Context, outs ...conversations.Outbound) error

	mu      sync.Mutex               // one line (or one arriving notice) at a time
	w       io.Writer                // where Run prints, while it runs
	arrived []conversations.Outbound // notices that came while Run did not run
}

// Hub joins the console sessions of one process, so that a notice one person's step
// sends to another person's console chat appears in that chat (at its next line, or
// through Inbox).
type Hub struct {
	mu    sync.Mutex
	inbox map[conversations.Address][]conversations.Outbound
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{inbox: map[conversations.Address][]conversations.Outbound{}} }

func (h *Hub) post(out conversations.Outbound) {
	h.mu.Lock()
	h.inbox[out.To] = append(h.inbox[out.To], out)
	h.mu.Unlock()
}

func (h *Hub) take(to conversations.Address) []conversations.Outbound {
	h.mu.Lock()
	defer h.mu.Unlock()
	outs := h.inbox[to]
	delete(h.inbox, to)
	return outs
}

// Inbox returns (and forgets) the messages other sessions' steps sent to this chat
// since it last looked; they become the latest messages shown.
func (s *Session) Inbox() []conversations.Outbound {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inbox()
}

func (s *Session) inbox() []conversations.Outbound {
	outs := s.arrived
	s.arrived = nil
	if s.Hub == nil {
		return outs
	}
	hub := s.Hub.take(s.addr)
	for _, o := range hub {
		s.show(o)
	}
	return append(outs, hub...)
}

// Notices is the session's chat as a channel of the durable queue (an
// outbound.Transport, outbound.Queue.RegisterChat): a message queued to this chat
// elsewhere — a coordinator's note from another console, the scheduler's reminder —
// is shown as it arrives, "🔔 " first, while Run waits for a line (else before the
// next line's replies). It becomes the latest message: a number presses its buttons.
func (s *Session) Notices() Notices { return Notices{s} }

// Notices delivers queued messages to a Session (see Session.Notices).
type Notices struct{ s *Session }

// Deliver shows out in the session's chat.
func (n Notices) Deliver(_ context.Context, out conversations.Outbound) error {
	s := n.s
	if out.To != s.addr {
		return fmt.Errorf("console %s: a message for %s", s.addr.ChatID, out.To.Key())
	}
	out.Text = "🔔 " + out.Text
	s.mu.Lock()
	defer s.mu.Unlock()
	s.show(out)
	if s.w == nil {
		s.arrived = append(s.arrived, out)
		return nil
	}
	_, err := fmt.Fprint(s.w, Render([]conversations.Outbound{out}))
	return err
}

// show notes that out is now the latest message of the chat: a typed number picks one
// of its buttons, and only of its buttons.
func (s *Session) show(out conversations.Outbound) {
	s.buttons = s.buttons[:0]
	for _, row := range out.Buttons {
		s.buttons = append(s.buttons, row...)
	}
}

// NewSession returns a session speaking as the console identity externalID (the chat
// and the sender are the same, as in a private chat).
func NewSession(h Handler, externalID, name string) *Session {
	b := make([]byte, 4)
	rand.Read(b)
	return &Session{h: h, addr: conversations.Address{Channel: conversations.ChannelConsole, ChatID: externalID},
		sender: externalID, name: name, nonce: hex.EncodeToString(b), Now: time.Now, MaxFiles: 10}
}

// Address is the session's chat.
func (s *Session) Address() conversations.Address { return s.addr }

// Inbound turns one typed line into the messages it stands for: a button press when it
// is the number of a shown option, one upload per path of "/kirim PATH...", else text.
// Empty lines give nothing.
func (s *Session) Inbound(line string) ([]conversations.Inbound, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, nil
	}
	if word, rest, _ := strings.Cut(line, " "); word == "/kirim" || word == "/send" {
		paths := strings.Fields(rest)
		if len(paths) == 0 {
			return nil, fmt.Errorf("tulis /kirim PATH (mis. /kirim laporan.pdf)")
		}
		if len(paths) > s.MaxFiles {
			paths = paths[:s.MaxFiles]
		}
		var ins []conversations.Inbound
		for _, p := range paths {
			f, err := fileOf(p)
			if err != nil {
				return nil, err
			}
			in := s.next()
			in.Files = []conversations.File{f}
			ins = append(ins, in)
		}
		return ins, nil
	}
	in := s.next()
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(s.buttons) {
		in.Button = s.buttons[n-1].Data
		return []conversations.Inbound{in}, nil
	}
	in.Text = line
	return []conversations.Inbound{in}, nil
}

func (s *Session) next() conversations.Inbound {
	s.seq++
	return conversations.Inbound{Address: s.addr, SenderID: s.sender, SenderName: s.name,
		MessageID: fmt.Sprintf("%s-%d", s.nonce, s.seq), At: s.Now()}
}

// fileOf describes a local file as an upload; the content is read only when the engine
// opens it, after checking the declared size.
func fileOf(path string) (conversations.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return conversations.File{}, fmt.Errorf("file %s: %w", path, err)
	}
	if st.IsDir() {
		return conversations.File{}, fmt.Errorf("%s is a directory", path)
	}
	return conversations.File{Name: filepath.Base(path), Size: st.Size(),
		Open: func(context.Context) (io.ReadCloser, error) { return os.Open(path) }}, nil
}

// Send handles one typed line and returns the replies to this chat, remembering the
// buttons so that the next number presses one.
func (s *Session) Send(ctx context.Context, line string) ([]conversations.Outbound, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.send(ctx, line)
}

func (s *Session) send(ctx context.Context, line string) ([]conversations.Outbound, error) {
	pending := s.inbox() // shown first: they arrived before this line was answered
	ins, err := s.Inbound(line)
	if err != nil {
		return pending, err
	}
	all := pending
	for _, in := range ins {
		outs, err := s.deliver(ctx, in)
		all = append(all, outs...)
		if err != nil {
			return all, err
		}
	}
	if len(ins) > 0 {
		s.last = ins
	}
	return all, nil
}

// Press sends a button press with data, as if pressed on any earlier message.
func (s *Session) Press(ctx context.Context, data string) ([]conversations.Outbound, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.next()
	in.Button = data
	s.last = []conversations.Inbound{in}
	return s.deliver(ctx, in)
}

// Redeliver hands the last line's messages to the engine again, with the same message
// ids (a platform delivering twice).
func (s *Session) Redeliver(ctx context.Context) ([]conversations.Outbound, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []conversations.Outbound
	for _, in := range s.last {
		outs, err := s.deliver(ctx, in)
		all = append(all, outs...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// Deliver hands one inbound message to the engine.
func (s *Session) Deliver(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliver(ctx, in)
}

func (s *Session) deliver(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	outs, err := s.h.Handle(ctx, in)
	var mine, others []conversations.Outbound
	for _, o := range outs {
		if o.To != s.addr {
			if s.Hub != nil && o.To.Channel == conversations.ChannelConsole {
				s.Hub.post(o) // a notified colleague's console chat shows it there
			} else if s.Forward != nil {
				others = append(others, o)
			}
			continue
		}
		mine = append(mine, o)
		s.show(o)
	}
	if len(others) > 0 {
		// After the step's commit: queued once the step is done (the engine returns its
		// replies only then). A failure is said in the chat; the step stands.
		if ferr := s.Forward(ctx, others...); ferr != nil && err == nil {
			err = fmt.Errorf("pesan untuk %d chat lain tidak terkirim: %w", len(others), ferr)
		}
	}
	return mine, err
}

// Render writes replies as the console shows them. The engine usually lists buttons
// as numbered options in the text; buttons it did not list (a reminder's "Lanjutkan")
// are listed after it. Attachments are named.
func Render(outs []conversations.Outbound) string {
	var b strings.Builder
	for _, o := range outs {
		b.WriteString(strings.TrimRight(o.Text, "\n"))
		b.WriteString("\n")
		var bs []conversations.Button
		listed := true
		for _, row := range o.Buttons {
			for _, btn := range row {
				bs = append(bs, btn)
				listed = listed && strings.Contains(o.Text, fmt.Sprintf("%d. %s", len(bs), btn.Label))
			}
		}
		if !listed {
			b.WriteString("\n")
			for i, btn := range bs {
				fmt.Fprintf(&b, "%d. %s\n", i+1, btn.Label)
			}
		}
		if o.Attachment != nil {
			fmt.Fprintf(&b, "[lampiran: %s]\n", o.Attachment.Name)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Run reads lines from r until it ends (or "/keluar"), sends each and writes the
// replies to w. prompt, when not empty, is printed before each line (interactive use).
//
// Notices arriving for the chat while it runs (Session.Notices) are printed at once.
func Run(ctx context.Context, s *Session, r io.Reader, w io.Writer, prompt string) error {
	s.mu.Lock()
	s.w = w
	fmt.Fprint(w, Render(s.inbox())) // what came before
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.w = nil
		s.mu.Unlock()
	}()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for {
		if prompt != "" {
			s.mu.Lock()
			fmt.Fprint(w, prompt)
			s.mu.Unlock()
		}
		if !sc.Scan() {
			return sc.Err()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		line := sc.Text()
		if t := strings.TrimSpace(line); t == "/keluar" || t == "/quit" || t == "/exit" {
			return nil
		}
		s.mu.Lock()
		outs, err := s.send(ctx, line)
		fmt.Fprint(w, Render(outs))
		if err != nil {
			fmt.Fprintf(w, "(!) %v\n\n", err)
		}
		s.mu.Unlock()
	}
}
