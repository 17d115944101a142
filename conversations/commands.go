package conversations

import (
	"context"
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

// command is one entry of the command table. Names are matched case-insensitively, with
// or without a leading "/": Indonesian first, English aliases after.
type command struct {
	names []string
	roles []Role // who may use it; nil means everyone known
	// args says the command takes arguments ("ubah 5"); commands without arguments
	// only match a message that is the command word alone.
	args bool
	// opd says the command works on the person's OPD questions: people without an OPD
	// (most coordinators and heads) get their menu instead.
	opd    bool
	run    func(ctx context.Context, r *Request) ([]Outbound, error)
	help   string // Indonesian one-liner for bantuan
	helpEN string
}

func (c command) allowed(role Role) bool {
	if c.roles == nil {
		return true
	}
	for _, r := range c.roles {
		if r == role {
			return true
		}
	}
	return false
}

// answering are the roles that fill in their OPD's questions.
var answering = []Role{RoleFocalPoint, RoleCoordinator, RoleAdmin}

// reviewing are the roles that review answers and export the evidence pack.
var reviewing = []Role{RoleCoordinator, RoleAdmin}

// commands is the command table. Features add their entries here (coordinators:
// ringkasan, opd, tinjau, undang, ingatkan, tenggat, riwayat; heads: nilai).
func (e *Engine) commands() []command {
	return append([]command{
		{names: []string{"mulai", "start"}, args: true, run: e.cmdStart,
			help: "mulai — mulai atau lanjutkan pengisian", helpEN: "start — start or resume"},
		{opd: true, names: []string{"lanjut", "continue", "resume"}, roles: answering, run: e.cmdResume,
			help: "lanjut — lanjutkan dari pertanyaan terakhir", helpEN: "continue — resume where you stopped"},
		{opd: true, names: []string{"lewati", "skip"}, roles: answering, run: e.cmdSkip,
			help: "lewati — lewati pertanyaan ini (dicatat sebagai kekurangan)", helpEN: "skip — skip this question (recorded as a gap)"},
		{opd: true, names: []string{"kembali", "back"}, roles: answering, run: e.cmdBack,
			help: "kembali — ke pertanyaan sebelumnya", helpEN: "back — previous question"},
		{opd: true, names: []string{"ubah", "edit"}, roles: answering, args: true, run: e.cmdEdit,
			help: "ubah N — ubah jawaban pertanyaan nomor N", helpEN: "edit N — change the answer to question N"},
		{opd: true, names: []string{"bukti", "evidence", "lampiran"}, roles: answering, args: true, run: e.cmdEvidence,
			help: "bukti N — tambah bukti dukung untuk jawaban nomor N", helpEN: "evidence N — add evidence to answer N"},
		{opd: true, names: []string{"daftar", "list"}, roles: answering, run: e.cmdList,
			help: "daftar — pertanyaan yang belum dijawab", helpEN: "list — your open questions"},
		{opd: true, names: []string{"status", "progres"}, roles: answering, run: e.cmdStatus,
			help: "status — progres pengisian OPD Anda", helpEN: "status — your OPD's progress"},
		{names: []string{"nilai", "tier", "skor", "score"}, args: true, run: e.cmdScore,
			help: "nilai — nilai, predikat dan kekurangan terbesar", helpEN: "tier — score, tier and biggest gaps"},
		{names: []string{"tinjau", "review"}, roles: reviewing, args: true, run: e.cmdReview,
			help: "tinjau [OPD|klaster N|bukti] — tinjau jawaban yang menunggu", helpEN: "review [OPD|cluster N|evidence] — review waiting answers"},
		{names: []string{"riwayat", "history"}, roles: reviewing, args: true, run: e.cmdHistory,
			help: "riwayat N — semua versi jawaban pertanyaan N dan tinjauannya", helpEN: "history N — every version of question N's answer and its reviews"},
		{names: []string{"ekspor", "export"}, roles: reviewing, args: true, run: e.cmdExport,
			help: "ekspor — paket bukti (ZIP) untuk diunggah ke situs KLA", helpEN: "export — the evidence pack (ZIP) for the KLA website"},
		{names: []string{"bantuan", "help", "menu", "?"}, run: e.cmdHelp,
			help: "bantuan — daftar perintah", helpEN: "help — list of commands"},
		{names: []string{"berhenti", "stop", "jeda", "pause"}, run: e.cmdStop,
			help: "berhenti — berhenti dulu; ketik lanjut kapan saja", helpEN: "stop — pause; type continue any time"},
	}, e.digestCommands()...) // digest_cmd.go: ringkasan, opd, ingatkan, tenggat
}

// freeTextHandler handles a message that is neither a command nor an answer (a head
// asking "berapa nilai kita?"). handled false passes it on.
type freeTextHandler func(ctx context.Context, r *Request, text string) (outs []Outbound, handled bool, err error)

// freeText lists the handlers consulted, in order, for people who are not in a question.
// Features add theirs here.
func (e *Engine) freeText() []freeTextHandler {
	return []freeTextHandler{e.reviewNoteText, e.freeScore}
}

// buttonRoute sends pressed buttons whose data starts with prefix to run (Args holds
// the data after the prefix). The engine's own prefixes are "a:" (answer) and "n:"
// (navigation); features add theirs here (for example "rv:" for reviews).
type buttonRoute struct {
	prefix string
	run    func(ctx context.Context, r *Request) ([]Outbound, error)
}

func (e *Engine) buttonRoutes() []buttonRoute {
	return []buttonRoute{
		{prefix: "a:", run: e.pressAnswer},
		{prefix: "n:", run: e.pressNav},
		{prefix: "rv:", run: e.pressReview},
	}
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
func (e *Engine) findCommand(text string, freeTextContext bool) (command, string, bool) {
	word, args, slash := splitCommand(text)
	if word == "" {
		return command{}, "", false
	}
	for _, c := range e.commands() {
		for _, n := range c.names {
			if n != word {
				continue
			}
			if args != "" && !c.args {
				return command{}, "", false
			}
			if freeTextContext && !slash && args != "" && !looksLikeEditArgs(word, args) {
				return command{}, "", false
			}
			return c, args, true
		}
	}
	return command{}, "", false
}

func looksLikeEditArgs(word, args string) bool {
	switch word {
	case "ubah", "edit", "bukti", "evidence":
	default:
		return false
	}
	return len(strings.Fields(args)) == 1
}

// route applies one step.
func (e *Engine) route(ctx context.Context, r *Request) ([]Outbound, error) {
	in := r.In
	if in.Button != "" {
		for _, b := range e.buttonRoutes() {
			if strings.HasPrefix(in.Button, b.prefix) {
				r.Args = strings.TrimPrefix(in.Button, b.prefix)
				return b.run(ctx, r)
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
	if c, args, ok := e.findCommand(in.Text, freeCtx); ok {
		if !c.allowed(r.Person.Role) {
			return e.replies(r, r.T(msgNotForRole)), nil
		}
		if c.opd && r.Person.OPDID == 0 {
			return e.cmdHelp(ctx, r)
		}
		r.Args = args
		return c.run(ctx, r)
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
