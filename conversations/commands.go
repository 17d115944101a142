package conversations

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// Request is one step's context: the message, who sent it, their region, the command
// arguments (the text after the command word) and the dialogue state, which a step may
// change in place.
type Request struct {
	In     Inbound
	Person Person
	Region Region
	Args   string
	Now    time.Time
	State  *State

	e            *Engine
	opds         []OPD
	list         *questionList // the person's questions, loaded on first use
	checkpointed bool          // the step's transaction saved the checkpoint
	savedNote    string        // added to "Tersimpan: …" (how a percentage was computed)
}

// OPDs are the OPDs of the person's region.
func (r *Request) OPDs() []OPD { return r.opds }

// Help is the bantuan reply: the commands this person may use.
func (r *Request) Help(ctx context.Context) ([]Outbound, error) { return r.e.cmdHelp(ctx, r) }

// ForgetRegion drops the cached region of the person, so that a change (a new
// deadline) shows at once.
func (r *Request) ForgetRegion() { r.e.forgetRegion(r.Person.RegionCode) }

// Notify writes text (and optional buttons) to another person on every chat bound to
// them (a review outcome to the focal point); no messages when they have no chat.
func (r *Request) Notify(ctx context.Context, personID int64, text string, buttons []Button) ([]Outbound, error) {
	return r.e.notify(ctx, personID, text, buttons)
}

// OldButtonText says that a pressed button belongs to an earlier message.
func (r *Request) OldButtonText() string { return r.T(msgOldButton) }

// Replies are texts to the person of r, one message each.
func (r *Request) Replies(texts ...string) []Outbound { return r.e.replies(r, texts...) }

// Lang is the person's language ("id" or "en").
func (r *Request) Lang() string { return r.Person.Language }

// T renders a catalogue text in the person's language.
func (r *Request) T(k msgKey, args ...any) string { return tr(r.Person.Language, k, args...) }

// Delivery is the message as the idempotency record of a write.
func (r *Request) Delivery() Delivery {
	at := r.In.At
	if at.IsZero() {
		at = r.Now
	}
	return Delivery{Channel: r.In.Channel, ChatID: r.In.ChatID, MessageID: r.In.MessageID, At: at}
}

// Handler runs one step of a capability.
type Handler func(ctx context.Context, r *Request) ([]Outbound, error)

// Command is one entry of the command table. Names are matched case-insensitively, with
// or without a leading "/": Indonesian first, English aliases after.
type Command struct {
	Names []string
	Roles []Role // who may use it; nil means everyone known
	// Args says the command takes arguments ("ubah 5"); commands without arguments
	// only match a message that is the command word alone.
	Args bool
	// OPD says the command works on the person's OPD questions: people without an OPD
	// (most coordinators and heads) get their menu instead.
	OPD    bool
	Run    Handler
	Help   string // Indonesian one-liner for bantuan
	HelpEN string
	// Rank places the command in bantuan's list, lower first (equal ranks keep the
	// wiring order), so that the list reads the same whatever the wiring order.
	Rank int
}

func (c Command) allowed(role Role) bool {
	if c.Roles == nil {
		return true
	}
	for _, r := range c.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Answering are the roles that fill in their OPD's questions.
var Answering = []Role{RoleFocalPoint, RoleCoordinator, RoleAdmin}

// Reviewing are the roles that review answers, export the evidence pack and run the
// coordinators' digest commands.
var Reviewing = []Role{RoleCoordinator, RoleAdmin}

// FreeText handles a message that is neither a command nor an answer (a head asking
// "berapa nilai kita?"). handled false passes it on.
type FreeText func(ctx context.Context, r *Request, text string) (outs []Outbound, handled bool, err error)

// ButtonRoute sends pressed buttons whose data starts with Prefix to Run (Args holds
// the data after the prefix), for example "rv:" for reviews.
type ButtonRoute struct {
	Prefix string
	Run    Handler
}

// Capability is one feature of the dialogue (review, digests, the heads' score
// questions ...): the commands and buttons it answers and the free text it may take.
// cmd/klabot builds each capability on the stores it declares and hands them to
// NewEngine; the engine routes to them without knowing their internals.
type Capability struct {
	Name     string
	Commands []Command
	Buttons  []ButtonRoute
	// FreeText, when set, is asked (in wiring order) about text from people who are not
	// in a question.
	FreeText FreeText
}

// commands is the command table: the engine's own entries and every capability's.
func (e *Engine) commands() []Command {
	all := e.ownCommands()
	for _, c := range e.caps {
		all = append(all, c.Commands...)
	}
	slices.SortStableFunc(all, func(a, b Command) int { return cmp.Compare(a.Rank, b.Rank) })
	return all
}

// ownCommands are the commands the engine itself still answers (the focal point's
// dialogue, help).
func (e *Engine) ownCommands() []Command {
	return []Command{
		{Rank: 10, Names: []string{"mulai", "start"}, Args: true, Run: e.cmdStart,
			Help: "mulai — mulai atau lanjutkan pengisian", HelpEN: "start — start or resume"},
		{Rank: 20, OPD: true, Names: []string{"lanjut", "continue", "resume"}, Roles: Answering, Run: e.cmdResume,
			Help: "lanjut — lanjutkan dari pertanyaan terakhir", HelpEN: "continue — resume where you stopped"},
		{Rank: 30, OPD: true, Names: []string{"lewati", "skip"}, Roles: Answering, Run: e.cmdSkip,
			Help: "lewati — lewati pertanyaan ini (dicatat sebagai kekurangan)", HelpEN: "skip — skip this question (recorded as a gap)"},
		{Rank: 40, OPD: true, Names: []string{"kembali", "back"}, Roles: Answering, Run: e.cmdBack,
			Help: "kembali — ke pertanyaan sebelumnya", HelpEN: "back — previous question"},
		{Rank: 50, OPD: true, Names: []string{"ubah", "edit"}, Roles: Answering, Args: true, Run: e.cmdEdit,
			Help: "ubah N — ubah jawaban pertanyaan nomor N", HelpEN: "edit N — change the answer to question N"},
		{Rank: 60, OPD: true, Names: []string{"bukti", "evidence", "lampiran"}, Roles: Answering, Args: true, Run: e.cmdEvidence,
			Help: "bukti N — tambah bukti dukung untuk jawaban nomor N", HelpEN: "evidence N — add evidence to answer N"},
		{Rank: 70, OPD: true, Names: []string{"daftar", "list"}, Roles: Answering, Run: e.cmdList,
			Help: "daftar — pertanyaan yang belum dijawab", HelpEN: "list — your open questions"},
		{Rank: 80, OPD: true, Names: []string{"status", "progres"}, Roles: Answering, Run: e.cmdStatus,
			Help: "status — progres pengisian OPD Anda", HelpEN: "status — your OPD's progress"},
		{Rank: 130, Names: []string{"bantuan", "help", "menu", "?"}, Run: e.cmdHelp,
			Help: "bantuan — daftar perintah", HelpEN: "help — list of commands"},
		{Rank: 140, Names: []string{"berhenti", "stop", "jeda", "pause"}, Run: e.cmdStop,
			Help: "berhenti — berhenti dulu; ketik lanjut kapan saja", HelpEN: "stop — pause; type continue any time"},
	}
}

// freeText lists the handlers consulted, in order, for people who are not in a question.
func (e *Engine) freeText() []FreeText {
	var hs []FreeText
	for _, c := range e.caps {
		if c.FreeText != nil {
			hs = append(hs, c.FreeText)
		}
	}
	return hs
}

// buttonRoutes are the pressed buttons' routes: the engine's own prefixes "a:" (answer)
// and "n:" (navigation), then the capabilities' (for example "rv:" for reviews).
func (e *Engine) buttonRoutes() []ButtonRoute {
	rs := []ButtonRoute{
		{Prefix: "a:", Run: e.pressAnswer},
		{Prefix: "n:", Run: e.pressNav},
	}
	for _, c := range e.caps {
		rs = append(rs, c.Buttons...)
	}
	return rs
}

// splitCommand reads "/Ubah 5", "ubah@klabot_bot 5" or "UBAH  5" as ("ubah", "5").
func splitCommand(text string) (word, args string, slash bool) {
	t := strings.TrimSpace(text)
	slash = strings.HasPrefix(t, "/")
	t = strings.TrimLeft(t, "/")
	word, args, _ = strings.Cut(t, " ")
	if i := strings.IndexByte(word, '@'); i > 0 { // Telegram's /cmd@botname
		word = word[:i]
	}
	word = strings.ToLower(strings.Trim(word, ".!?,"))
	return word, strings.TrimSpace(args), slash
}

// findCommand returns the command text names, if any. In free-text contexts (a text
// question, a narrative) a command must start with "/" or stand alone, so that an
// answer such as "status gizi baik" is not taken for a command.
func (e *Engine) findCommand(text string, freeTextContext bool) (Command, string, bool) {
	word, args, slash := splitCommand(text)
	if word == "" {
		return Command{}, "", false
	}
	for _, c := range e.commands() {
		for _, n := range c.Names {
			if n != word {
				continue
			}
			if args != "" && !c.Args {
				return Command{}, "", false
			}
			if freeTextContext && !slash && args != "" && !looksLikeEditArgs(word, args) {
				return Command{}, "", false
			}
			return c, args, true
		}
	}
	return Command{}, "", false
}

func looksLikeEditArgs(word, args string) bool {
	switch word {
	case "ubah", "edit", "bukti", "evidence":
	default:
		return false
	}
	return len(strings.Fields(args)) == 1
}

// asksSomething reports whether a message starting with a command word is a plain
// question ("OPD mana yang belum?"), not the command: no slash, and a question mark or
// a question word right after the command word.
func asksSomething(text, args string) bool {
	if args == "" || strings.HasPrefix(strings.TrimSpace(text), "/") {
		return false
	}
	first, _, _ := strings.Cut(strings.ToLower(args), " ")
	switch strings.Trim(first, "?.,!") {
	case "mana", "apa", "yang", "yg", "berapa", "brp", "kita", "saja", "kapan", "gimana", "bagaimana":
		return true
	}
	return strings.Contains(text, "?")
}

// route applies one step.
func (e *Engine) route(ctx context.Context, r *Request) ([]Outbound, error) {
	in := r.In
	if in.Button != "" {
		for _, b := range e.buttonRoutes() {
			if strings.HasPrefix(in.Button, b.Prefix) {
				r.Args = strings.TrimPrefix(in.Button, b.Prefix)
				return b.Run(ctx, r)
			}
		}
		return e.replies(r, r.T(msgOldButton)), nil
	}
	if len(in.Files) > 0 {
		return e.receiveFiles(ctx, r)
	}
	freeCtx := r.State.Mode == ModeNarrative || r.State.Mode == ModeReviewNote
	if r.State.Mode == ModeQuestion {
		if q, ok := e.currentQuestion(ctx, r); ok && q.Q.Type == "text" {
			freeCtx = true
		}
	}
	c, args, ok := e.findCommand(in.Text, freeCtx)
	if ok && !c.allowed(r.Person.Role) && asksSomething(in.Text, args) && r.State.Mode == ModeIdle {
		// "OPD mana yang belum?" from a head is a question, not the coordinators' opd.
		ok = false
	}
	if ok {
		if !c.allowed(r.Person.Role) {
			return e.replies(r, r.T(msgNotForRole)), nil
		}
		if c.OPD && r.Person.OPDID == 0 {
			return e.cmdHelp(ctx, r)
		}
		r.Args = args
		return c.Run(ctx, r)
	}
	switch r.State.Mode {
	case ModeQuestion:
		return e.answerText(ctx, r)
	case ModeEvidence:
		return e.evidenceText(ctx, r)
	case ModeNarrative:
		return e.narrativeText(ctx, r)
	}
	for _, h := range e.freeText() {
		outs, handled, err := h(ctx, r, in.Text)
		if err != nil || handled {
			return outs, err
		}
	}
	return e.idleText(ctx, r)
}
