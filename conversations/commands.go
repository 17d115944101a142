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
	checkpointed bool // the step's transaction saved the checkpoint
}

// OPDs are the OPDs of the person's region.
func (r *Request) OPDs() []OPD { return r.opds }

// ReloadOPDs reads the OPDs of the person's region again, past the cache (an OPD created
// after the region was cached: a roster import just now).
func (r *Request) ReloadOPDs(ctx context.Context) error {
	r.e.forgetRegion(r.Person.RegionCode)
	ri, err := r.e.region(ctx, r.Person.RegionCode)
	if err != nil {
		return err
	}
	r.opds = ri.opds
	return nil
}

// Checkpointed tells the engine that the step's write saved the checkpoint (the state
// as the step leaves it), so that it is not saved a second time.
func (r *Request) Checkpointed() { r.checkpointed = true }

// NoInstrumentText says that the year of the state has no instrument yet.
func (r *Request) NoInstrumentText() string { return r.T(msgNoInstrument, r.State.Year) }

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

// T renders one of the core's texts in the person's language (each capability renders its own).
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

// Answers reports whether the role fills in its OPD's questions (Answering).
func (r Role) Answers() bool {
	for _, a := range Answering {
		if a == r {
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

// ModeRoute hands a dialogue mode to the capability that opened it (answering: question,
// evidence, narrative): the text typed in it and what it asks now. A message meant for an
// earlier position of such a mode is not applied (Engine.late).
type ModeRoute struct {
	Mode Mode
	// Text takes a typed text that is no command.
	Text Handler
	// Free reports whether text in the mode is free text (a narrative, a text answer): a
	// command word then counts only with "/" or on its own, so that an answer such as
	// "status gizi baik" is no command. nil: never.
	Free func(ctx context.Context, r *Request) bool
	// Prompt repeats what the mode asks now (after a late message that was not applied,
	// and as the reminder of what is Pending).
	Prompt Handler
	// Pending, when set, names what the mode waits for now that a command or a file sent
	// meanwhile must not leave unseen (a review note, a choice between two answers, the
	// evidence of an answer); ok false: nothing waits. See Engine.settlePending.
	Pending func(ctx context.Context, r *Request) (p Pending, ok bool)
	// Pause, when set, gives up what the mode waits for when the person pauses (berhenti)
	// meanwhile, and Pending's Dropped is said: a coordinator's note is not kept waiting
	// for whatever they type when they come back. nil: it waits through the pause.
	Pause func(r *Request)
}

// Pending is what a dialogue mode waits for (ModeRoute.Pending).
type Pending struct {
	// Key identifies it: the same Key after the step means it still waits.
	Key string
	// Dropped is said first when a step left it ("Pengembalian 1.1 dibatalkan."); ""
	// says nothing (nothing was lost).
	Dropped string
}

// Capability is one feature of the dialogue (answering, onboarding, review, digests, the
// heads' score questions ...): the commands and buttons it answers, and the hooks it
// takes. cmd/klabot builds each capability on the stores it declares and hands them to
// NewEngine; the engine routes to them without knowing their internals. Where only one
// capability can take something (a mode, files, idle text, strangers), the first in
// wiring order that offers it does.
type Capability struct {
	Name     string
	Commands []Command
	Buttons  []ButtonRoute
	// FreeText, when set, is asked (in wiring order) about text from people who are not
	// in a question.
	FreeText FreeText
	// Modes are the dialogue modes the capability opens and answers.
	Modes []ModeRoute
	// Files takes incoming photos and documents.
	Files Handler
	// Idle answers text nobody took (no command, no mode, no free-text handler).
	// Without it the person gets bantuan.
	Idle Handler
	// AfterStep runs after every step that succeeded, before the state is saved, and may
	// change the state; its replies come first, and a hook that replies makes the engine
	// save the checkpoint again (held files dropped).
	AfterStep func(r *Request) []Outbound
	// Stranger answers a chat no person is bound to (invite codes). Without it, the engine
	// says nothing to strangers.
	Stranger func(ctx context.Context, n *Newcomer) ([]Outbound, error)
	// Bind, when set, is asked about every message meant for the dialogue's position (an
	// answer, a file, lewati, kembali, selesai; not buttons, which name their question)
	// before it is applied: was it sent for the position the person had been shown?
	// handled true answers it instead of applying it (the person had not seen this
	// position yet). Without it the engine's own rule applies (State.Since).
	Bind func(ctx context.Context, r *Request) (outs []Outbound, handled bool, err error)
	// Prepare, when set, runs for a known sender's message after the chat's lock and the
	// dedupe check and before the step's transaction: the step's slow work (a file's
	// download, a wait for a prompt's delivery record) is done there, on the pool, so
	// that it holds no connection of the transaction while every other chat's step
	// waits for one. It records its results on p.In (File.Fetched, Inbound.Shown) for
	// the step; what it stored and the step did not use (a blob) is left.
	Prepare func(ctx context.Context, p Prep)
}

// Prep is a message before its step (Capability.Prepare).
type Prep struct {
	In *Inbound
	// State is the chat's dialogue state as loaded (nil: none in Redis; the step
	// rebuilds it from the checkpoint).
	State *State
	// Positional: In is meant for State's position, and the Bind hook will be asked.
	Positional bool
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

// ownCommands are the commands of the core: bantuan.
func (e *Engine) ownCommands() []Command {
	return []Command{
		{Rank: 130, Names: []string{"bantuan", "help", "menu", "?"}, Run: e.cmdHelp,
			Help: "bantuan — daftar perintah", HelpEN: "help — list of commands"},
	}
}

// cmdHelp is "bantuan": the commands this person may use.
func (e *Engine) cmdHelp(ctx context.Context, r *Request) ([]Outbound, error) {
	var lines []string
	for _, c := range e.commands() {
		if !c.allowed(r.Person.Role) || (c.OPD && r.Person.OPDID == 0) {
			continue
		}
		h := c.Help
		if r.Lang() == "en" && c.HelpEN != "" {
			h = c.HelpEN
		}
		if h != "" {
			lines = append(lines, "• "+h)
		}
	}
	return e.replies(r, r.T(msgHelpHead)+"\n"+strings.Join(lines, "\n")), nil
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

// buttonRoutes are the pressed buttons' routes, the capabilities' (for example "a:" for
// answers, "rv:" for reviews).
func (e *Engine) buttonRoutes() []ButtonRoute {
	var rs []ButtonRoute
	for _, c := range e.caps {
		rs = append(rs, c.Buttons...)
	}
	return rs
}

// SplitCommand reads "/Ubah 5", "ubah@klabot_bot 5" or "UBAH  5" as ("ubah", "5"), and
// whether it started with "/".
func SplitCommand(text string) (word, args string, slash bool) {
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
	word, args, slash := SplitCommand(text)
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

// looksLikeEditArgs reports whether word and args read as a command on one question
// ("ubah 5", "bukti 3", "riwayat 1.1") rather than as free text.
func looksLikeEditArgs(word, args string) bool {
	switch word {
	case "ubah", "edit", "bukti", "evidence", "riwayat", "history":
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
	mode, inMode := e.modes[r.State.Mode]
	files := len(in.Files) > 0 && e.files != nil
	var c Command
	var args string
	var ok bool
	if !files {
		freeCtx := inMode && mode.Free != nil && mode.Free(ctx, r)
		c, args, ok = e.findCommand(in.Text, freeCtx)
		if ok && !c.allowed(r.Person.Role) && asksSomething(in.Text, args) && r.State.Mode == ModeIdle {
			// "OPD mana yang belum?" from a head is a question, not the coordinators' opd.
			ok = false
		}
	}
	if files || ok {
		// Files and commands come aside from what the mode asks: it is reminded after
		// them, or its drop is said (settlePending).
		waiting, waits := e.pending(ctx, r)
		outs, err := e.routeAside(ctx, r, files, c, args)
		if err != nil || !waits {
			return outs, err
		}
		return e.settlePending(ctx, r, waiting, outs)
	}
	if inMode && mode.Text != nil {
		return mode.Text(ctx, r)
	}
	for _, h := range e.freeText() {
		outs, handled, err := h(ctx, r, in.Text)
		if err != nil || handled {
			return outs, err
		}
	}
	if e.idle != nil {
		return e.idle(ctx, r)
	}
	return e.cmdHelp(ctx, r)
}

// routeAside runs the files of r, or its command c with args.
func (e *Engine) routeAside(ctx context.Context, r *Request, files bool, c Command, args string) ([]Outbound, error) {
	if files {
		return e.files(ctx, r)
	}
	if !c.allowed(r.Person.Role) {
		return e.replies(r, r.T(msgNotForRole)), nil
	}
	if c.OPD && r.Person.OPDID == 0 {
		return e.cmdHelp(ctx, r)
	}
	r.Args = args
	return c.Run(ctx, r)
}
