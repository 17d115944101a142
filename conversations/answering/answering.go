// Package answering is the focal point's dialogue: one question at a time in instrument
// order, the answers read the Indonesian way (conversations/parse), evidence intake
// (files checked, sniffed and stored content-addressed, held when they come before the
// answer), the optional narrative, and the navigation around it: mulai, lanjut, lewati,
// kembali, ubah N, bukti N, daftar, status, berhenti, selesai and ganti. It opens the
// dialogue modes question, evidence and narrative and answers them, takes the incoming
// files and the idle text, and drops held files after the step that left their question.
package answering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
)

// Answers writes and reads answers, evidence and skips (storage/postgres). Each write is
// one transaction that also records Msg in inbound_messages; a message recorded before
// makes the write fail with conversations.ErrDuplicate and change nothing.
type Answers interface {
	SaveAnswer(ctx context.Context, w AnswerWrite) (AnswerInfo, error)
	// AddEvidence attaches files to an answer version and returns the blob keys it
	// attached: content the version already has is not attached again.
	AddEvidence(ctx context.Context, w EvidenceWrite) ([]string, error)
	SetNarrative(ctx context.Context, w NarrativeWrite) error
	SaveSkip(ctx context.Context, w SkipWrite) error
	// Progress returns the current answers of codes in the region and year, and which of
	// them personID skipped.
	Progress(ctx context.Context, regionCode string, year int, personID int64, codes []string) (Progress, error)
}

// Instruments reads an evaluation year's instrument (storage/postgres).
type Instruments interface {
	// Instrument returns the year's instrument, or conversations.ErrNotFound.
	Instrument(ctx context.Context, year int) (*scoring.Instrument, error)
}

// Blobs stores evidence content-addressed (storage/blob).
type Blobs interface {
	// Put stores data and returns its key, the hex SHA-256; storing the same bytes twice
	// keeps one copy.
	Put(ctx context.Context, data []byte) (string, error)
}

// ReviewNotes reads why an OPD's questions were sent back (storage/postgres), for the
// line under a reopened question.
type ReviewNotes interface {
	// ReopenedQuestions returns an OPD's questions whose current answer was sent back
	// (needs_revision or rejected), most recent decision first.
	ReopenedQuestions(ctx context.Context, region string, year int, opdID int64) ([]conversations.Reopened, error)
}

// Coordinators are the coordinators of a region (storage/postgres), told when an OPD
// fixes an answer they sent back, each in their language.
type Coordinators interface {
	CoordinatorIDs(ctx context.Context, region string) ([]int64, error)
	Person(ctx context.Context, id int64) (conversations.Person, error)
}

// Deps are the dialogue's collaborators.
type Deps struct {
	Answers     Answers
	Instruments Instruments
	Blobs       Blobs
	// Reviews tells the focal points why a question came back (the coordinator's
	// decision under the question); nil leaves the line out.
	Reviews ReviewNotes
	// Coordinators are told when an OPD fixes an answer they sent back; nil tells nobody.
	Coordinators Coordinators
	// Carried offers last year's answers in a year imported --from it; nil offers none.
	Carried Carried
	// Prompts tells which prompt a chat had been delivered when a message was sent, so
	// that answers are bound to the question the person saw (bind.go); nil: the engine's
	// rule alone (a message sent before the dialogue last moved is not applied).
	Prompts Prompts
	// MaxFileBytes is the largest evidence file accepted. Defaults to 20 MB.
	MaxFileBytes int64
	// CacheTTL is how long an instrument is kept in memory before it is read again (a
	// re-import shows within it). Defaults to 1 minute.
	CacheTTL time.Duration
	Log      *slog.Logger // defaults to slog.Default()
}

// Dialogue is the focal point's dialogue. Its Capability is wired into the engine; its
// Overview is what onboarding's welcome says about the questions.
type Dialogue struct {
	d Deps

	mu    sync.Mutex
	insts map[int]cachedInstrument
}

type cachedInstrument struct {
	ix *instrumentIndex
	at time.Time
}

// New returns the dialogue on d.
func New(d Deps) *Dialogue {
	if d.MaxFileBytes <= 0 {
		d.MaxFileBytes = 20 << 20
	}
	if d.CacheTTL <= 0 {
		d.CacheTTL = time.Minute
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Dialogue{d: d, insts: map[int]cachedInstrument{}}
}

// Capability is the dialogue as the engine routes to it: its commands, the answer ("a:")
// and navigation ("n:") buttons, the modes question, evidence and narrative, the files,
// the idle text and the after-step hook that drops held files.
func (ans *Dialogue) Capability() conversations.Capability {
	answering := conversations.Answering
	return conversations.Capability{
		Name: "answering",
		Commands: []conversations.Command{
			{Rank: 10, Names: []string{"mulai", "start"}, Args: true, Run: ans.h(ans.cmdStart),
				Help: "mulai — mulai atau lanjutkan pengisian", HelpEN: "start — start or resume"},
			{Rank: 20, OPD: true, Names: []string{"lanjut", "continue", "resume"}, Roles: answering, Run: ans.h(ans.cmdResume),
				Help: "lanjut — lanjutkan dari pertanyaan terakhir", HelpEN: "continue — resume where you stopped"},
			{Rank: 30, OPD: true, Names: []string{"lewati", "skip"}, Roles: answering, Run: ans.h(ans.cmdSkip),
				Help: "lewati — lewati pertanyaan ini (dicatat sebagai kekurangan)", HelpEN: "skip — skip this question (recorded as a gap)"},
			{Rank: 40, OPD: true, Names: []string{"kembali", "back"}, Roles: answering, Run: ans.h(ans.cmdBack),
				Help: "kembali — ke pertanyaan sebelumnya", HelpEN: "back — previous question"},
			{Rank: 50, OPD: true, Names: []string{"ubah", "edit"}, Roles: answering, Args: true, Run: ans.h(ans.cmdEdit),
				Help: "ubah N — ubah jawaban pertanyaan nomor N", HelpEN: "edit N — change the answer to question N"},
			{Rank: 60, OPD: true, Names: []string{"bukti", "evidence", "lampiran"}, Roles: answering, Args: true, Run: ans.h(ans.cmdEvidence),
				Help: "bukti N — tambah bukti dukung untuk jawaban nomor N", HelpEN: "evidence N — add evidence to answer N"},
			{Rank: 70, OPD: true, Names: []string{"daftar", "list"}, Roles: answering, Run: ans.h(ans.cmdList),
				Help: "daftar — pertanyaan yang belum dijawab", HelpEN: "list — your open questions"},
			{Rank: 80, OPD: true, Names: []string{"status", "progres"}, Roles: answering, Run: ans.h(ans.cmdStatus),
				Help: "status — progres pengisian OPD Anda", HelpEN: "status — your OPD's progress"},
			{Rank: 140, Names: []string{"berhenti", "stop", "jeda", "pause"}, Run: ans.h(ans.cmdStop),
				Help: "berhenti — berhenti dulu; ketik lanjut kapan saja", HelpEN: "stop — pause; type continue any time"},
		},
		Buttons: []conversations.ButtonRoute{
			{Prefix: "a:", Run: ans.h(ans.pressAnswer)},
			{Prefix: "n:", Run: ans.h(ans.pressNav)},
		},
		Modes: []conversations.ModeRoute{
			{Mode: conversations.ModeQuestion, Text: ans.h(ans.answerText), Free: ans.textQuestion, Prompt: ans.h(ans.reprompt),
				Pending: ans.pending},
			{Mode: conversations.ModeEvidence, Text: ans.h(ans.evidenceText), Prompt: ans.h(ans.reprompt), Pending: ans.pending},
			{Mode: conversations.ModeNarrative, Text: ans.h(ans.narrativeText), Prompt: ans.h(ans.reprompt),
				Free: func(context.Context, *conversations.Request) bool { return true }, Pending: ans.pending},
		},
		Files: ans.h(ans.receiveFiles),
		Idle:  ans.h(ans.idleText),
		AfterStep: func(r *conversations.Request) []conversations.Outbound {
			forgetList(r)
			return ans.settleHeld(&step{Request: r})
		},
		Bind:    ans.bind,
		Prepare: ans.prepare,
	}
}

// step is one step of the dialogue: the engine's request with what the dialogue loads
// once per step.
type step struct {
	*conversations.Request
	list      *questionList // the person's questions, loaded on first use
	savedNote string        // added to "Tersimpan: …" (how a percentage was computed)
	reused    int           // files of last year's answer attached with it (no receipts)
}

// T renders one of the dialogue's texts in the person's language.
func (r *step) T(k key, args ...any) string { return tr(r.Lang(), k, args...) }

// h is a step handler as the engine calls it.
func (ans *Dialogue) h(f func(context.Context, *step) ([]conversations.Outbound, error)) conversations.Handler {
	return func(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
		return f(ctx, &step{Request: r})
	}
}

// textQuestion reports whether the open question is answered with text: a command word
// in it needs "/" or to stand alone.
func (ans *Dialogue) textQuestion(ctx context.Context, r *conversations.Request) bool {
	q, ok := ans.currentQuestion(ctx, &step{Request: r})
	return ok && q.Q.Type == scoring.Text
}

// instrumentIndex is an instrument with lookups the dialogue needs.
type instrumentIndex struct {
	inst   *scoring.Instrument
	byCode map[string]questionRef
	all    []questionRef // instrument order
	from   int           // the earlier year its questions are linked to (--from), or 0
}

// questionRef is a question with its place in the instrument.
type questionRef struct {
	Q         scoring.Question
	Cluster   *scoring.Cluster
	Indicator *scoring.Indicator
}

// instrument is the year's instrument, from a short-lived cache.
func (ans *Dialogue) instrument(ctx context.Context, year int) (*instrumentIndex, error) {
	now := time.Now()
	ans.mu.Lock()
	c, ok := ans.insts[year]
	ans.mu.Unlock()
	if ok && now.Sub(c.at) < ans.d.CacheTTL {
		return c.ix, nil
	}
	inst, err := ans.d.Instruments.Instrument(ctx, year)
	if err != nil {
		return nil, err
	}
	ix := &instrumentIndex{inst: inst, byCode: map[string]questionRef{}}
	if ans.d.Carried != nil {
		if ix.from, err = ans.d.Carried.CarriedFrom(ctx, year); err != nil {
			return nil, fmt.Errorf("instrument %d carried from: %w", year, err)
		}
	}
	for ci := range inst.Clusters {
		c := &inst.Clusters[ci]
		for ii := range c.Indicators {
			ind := &c.Indicators[ii]
			for _, q := range ind.Questions {
				ref := questionRef{Q: q, Cluster: c, Indicator: ind}
				ix.byCode[q.Code] = ref
				ix.all = append(ix.all, ref)
			}
		}
	}
	ans.mu.Lock()
	ans.insts[year] = cachedInstrument{ix, now}
	ans.mu.Unlock()
	return ix, nil
}

// endSentence ends s with a full stop unless it already ends with sentence punctuation,
// so a typed answer that ends in "." is not echoed with "..".
func endSentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "…") {
		return s
	}
	return s + "."
}

// Overview is what the welcome of a newly bound person says about their questions: how
// many their OPD answers and how many are answered already (or that the year has no
// instrument yet), the deadline, and the button that starts them.
func (ans *Dialogue) Overview(ctx context.Context, req *conversations.Request) (string, conversations.Button, error) {
	r := &step{Request: req}
	var text string
	l, err := ans.progressOf(ctx, r)
	switch {
	case errors.Is(err, conversations.ErrNoInstrument):
		text = "\n" + r.NoInstrumentText()
	case err != nil:
		return "", conversations.Button{}, err
	default:
		text = "\n" + r.T(msgWelcomeCount, len(l.refs), l.counts().answered)
	}
	if dl := ans.deadlineLine(r); dl != "" {
		text += "\n" + dl
	}
	return text, conversations.Button{Label: r.T(msgBtnStart), Data: "n:start:"}, nil
}
