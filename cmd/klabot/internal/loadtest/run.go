package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klabot/klabot/scoring"
)

// Target delivers one message of a simulated person and returns the bot's replies: the
// engine in process, or klabot serve's Telegram webhook.
type Target interface {
	Send(ctx context.Context, fp FocalPoint, m Msg) ([]Reply, error)
}

// Options tune a load run.
type Options struct {
	// Workers is the number of concurrent senders. Defaults to 32.
	Workers int
	// Dialogues is the number of focal points in conversation at once, spread evenly
	// over the dataset's regions; each worker takes turns over its share. Defaults to
	// 20,000 (or every focal point of a smaller dataset).
	Dialogues int
	// Duration bounds the run. Defaults to 60s when Answers is 0.
	Duration time.Duration
	// Answers ends the run once this many answers were stored (0: run for Duration).
	Answers int
	// FileShare is the share of evidence prompts answered with a small document (the
	// rest are skipped and remembered as gaps). File questions always get one. Defaults
	// to 0.3; negative means none.
	FileShare float64
	// DupShare is the share of messages delivered twice (a platform retry), to check that
	// the second delivery changes nothing. Defaults to 0.01; negative means none.
	DupShare float64
	// BurstShare is the share of evidence documents followed at once by "selesai",
	// without waiting for the receipt: per-chat ordering must still handle the document
	// first. Defaults to 0.5; negative means none.
	BurstShare float64
	// FileSize is the size of the evidence documents. Defaults to 8 KiB.
	FileSize int
	// Edits lets people who answered everything correct a random answer ("ubah N"),
	// so a reused dataset keeps producing answers. Defaults to true in the command.
	Edits bool
	// Turn is how many messages a person sends in a row (each after the replies to the
	// previous) before the worker turns to its next person. Defaults to 4, so evidence
	// intake (answer, document, "selesai", narrative) happens within a turn.
	Turn int
	// Warmup opens every dialogue ("mulai") before the measured phase.
	Warmup bool
	// Seed makes runs repeatable. Defaults to 1.
	Seed int64
	// Measure, when set, is called right before the measured phase (after the warm-up),
	// e.g. to reset counters.
	Measure func()
	// Transcript, when set, receives every message and reply (for one or two dialogues:
	// workers write to it concurrently, line by line).
	Transcript io.Writer

	files []*SimFile
}

func (o *Options) withDefaults(people int) {
	if o.Workers <= 0 {
		o.Workers = 32
	}
	if o.Dialogues <= 0 {
		o.Dialogues = 20_000
	}
	o.Dialogues = min(o.Dialogues, people)
	o.Workers = min(o.Workers, o.Dialogues)
	if o.Duration <= 0 && o.Answers <= 0 {
		o.Duration = time.Minute
	}
	if o.FileShare == 0 {
		o.FileShare = 0.3
	}
	if o.DupShare == 0 {
		o.DupShare = 0.01
	}
	if o.BurstShare == 0 {
		o.BurstShare = 0.5
	}
	if o.FileSize <= 0 {
		o.FileSize = 8 << 10
	}
	if o.Turn <= 0 {
		o.Turn = 4
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	o.Documents()
}

func (o *Options) file(rng *rand.Rand) *SimFile { return o.files[rng.Intn(len(o.files))] }

// Documents returns the evidence documents the run's people upload (a Bot API fake
// serves them for download).
func (o *Options) Documents() []*SimFile {
	if o.files != nil {
		return o.files
	}
	size := o.FileSize
	if size <= 0 {
		size = 8 << 10
	}
	// A handful of distinct documents: the blob store keeps one copy of each, like
	// the same SK scanned by several OPDs.
	for i := 0; i < 8; i++ {
		o.files = append(o.files, pdf(i, size))
	}
	return o.files
}

// pdf returns a small document that the engine's content check takes for a PDF.
func pdf(i, size int) *SimFile {
	var b strings.Builder
	b.WriteString("%PDF-1.4\n% klabot load test document " + fmt.Sprint(i) + "\n")
	for b.Len() < size-6 {
		b.WriteString(fmt.Sprintf("%% line %d of document %d\n", b.Len(), i))
	}
	b.WriteString("%%EOF\n")
	return &SimFile{ID: fmt.Sprintf("loaddoc%d", i), Name: fmt.Sprintf("bukti-%d.pdf", i), Data: []byte(b.String())}
}

// Result is what a run measured.
type Result struct {
	Mode         string
	Workers      int
	Dialogues    int
	Elapsed      time.Duration
	Steps        int            // messages handled (duplicates not counted)
	ByKind       map[string]int // messages by kind
	Answers      int            // answers the bot confirmed ("✅ Tersimpan")
	Corrections  int            // answers the bot did not understand (should be 0)
	Bursts       int            // messages sent behind another without waiting
	OutOfOrder   int            // bursts whose replies show the second one handled first
	Refused      int            // bursts whose document was taken but "selesai" refused
	Clashes      int            // replies telling that a colleague's answer came first (asking which stands)
	Dups         int            // second deliveries sent
	DupReplies   int            // second deliveries that got replies (should be 0)
	Finished     int            // people who dealt with all their questions
	StepLat      Latency        // every message
	AnswerLat    Latency        // messages that stored an answer
	Errors       map[string]int // by kind
	PeakRSSMB    float64        // VmHWM of this process (engine mode) right after the load
	Since        time.Time      // start of the measured phase, for the checks
	Warmup       time.Duration  // time to open every dialogue before the measured phase
	WarmupErrors int

	people []*person
}

// StepsPerSec and AnswersPerSec are the throughputs.
func (r *Result) StepsPerSec() float64   { return float64(r.Steps) / r.Elapsed.Seconds() }
func (r *Result) AnswersPerSec() float64 { return float64(r.Answers) / r.Elapsed.Seconds() }

// Run drives opts.Dialogues simulated focal points of ds through t with opts.Workers
// concurrent senders until the duration passes or enough answers were stored. Each
// person's messages go one after another (a person answers what the bot just asked).
func Run(ctx context.Context, mode string, ds *Dataset, t Target, opts Options) (*Result, error) {
	opts.withDefaults(len(ds.People))
	if opts.Dialogues == 0 {
		return nil, fmt.Errorf("the dataset has no focal points")
	}
	qs := map[string]scoring.Question{}
	for _, q := range ds.Instrument.Questions() {
		qs[q.Code] = q
	}
	people := make([]*person, opts.Dialogues)
	for i := range people {
		// Evenly over the dataset, so every region has people talking.
		people[i] = &person{fp: ds.People[i*len(ds.People)/opts.Dialogues]}
	}
	res := &Result{Mode: mode, Workers: opts.Workers, Dialogues: opts.Dialogues, ByKind: map[string]int{},
		Errors: map[string]int{}, people: people}
	// Message ids of this run start at the clock in microseconds: unique across runs on
	// one database, like Telegram update ids.
	var nextID atomic.Int64
	nextID.Store(time.Now().UnixMicro())
	if opts.Warmup {
		warmup(ctx, t, people, &opts, qs, &nextID, res)
	}
	if opts.Measure != nil {
		opts.Measure()
	}
	res.Since = time.Now()
	// The run ends when stop is done; steps in flight then finish normally (their
	// context is ctx), so the end of a run never looks like a failure.
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.Duration > 0 {
		stop, cancel = context.WithTimeout(stop, opts.Duration)
		defer cancel()
	}
	var answers atomic.Int64
	stats := make([]*workerStats, opts.Workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range opts.Workers {
		ws := newWorkerStats()
		stats[w] = ws
		var mine []*person
		for i := w; i < len(people); i += opts.Workers {
			mine = append(mine, people[i])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(opts.Seed + int64(w)))
			work(ctx, stop, t, mine, rng, &opts, qs, ws, &nextID, &answers, cancel)
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.PeakRSSMB = PeakRSSMB()
	for _, ws := range stats {
		res.merge(ws)
	}
	for _, p := range people {
		if p.done {
			res.Finished++
		}
	}
	res.StepLat = latencies(stats, func(ws *workerStats) []time.Duration { return ws.steps })
	res.AnswerLat = latencies(stats, func(ws *workerStats) []time.Duration { return ws.answers })
	return res, nil
}

// warmup opens every dialogue ("mulai") before the measured phase, so the figures are
// those of people answering, with all dialogues live in Redis and the engine's caches.
func warmup(ctx context.Context, t Target, people []*person, o *Options, qs map[string]scoring.Question, nextID *atomic.Int64, res *Result) {
	start := time.Now()
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for w := range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(o.Seed - int64(w) - 1))
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(people) {
					return
				}
				p := people[i]
				m, _ := p.next(rng, o, qs)
				p.asked = m.Kind
				m.ID = nextID.Add(1)
				replies, err := t.Send(ctx, p.fp, m)
				if err != nil {
					failed.Add(1)
					continue
				}
				p.last = replies
			}
		}()
	}
	wg.Wait()
	res.Warmup, res.WarmupErrors = time.Since(start), int(failed.Load())
}

// work is one sender: it takes turns over its people until stop is done or all are done.
func work(ctx, stop context.Context, t Target, mine []*person, rng *rand.Rand, o *Options, qs map[string]scoring.Question,
	ws *workerStats, nextID, answers *atomic.Int64, enough context.CancelFunc) {
	for active := len(mine); active > 0; {
		active = 0
		for _, p := range mine {
			for turn := 0; turn < o.Turn; turn++ {
				if stop.Err() != nil {
					return
				}
				m, ok := p.next(rng, o, qs)
				if !ok {
					break
				}
				if turn == 0 {
					active++
				}
				p.asked = m.Kind
				m.ID = nextID.Add(1)
				if m.Then != nil {
					m.Then.ID = nextID.Add(1)
					ws.bursts++
				}
				t0 := time.Now()
				replies, err := t.Send(ctx, p.fp, m)
				lat := time.Since(t0)
				ws.kinds[m.Kind]++
				ws.steps = append(ws.steps, lat)
				if err != nil {
					if o.Transcript != nil {
						fmt.Fprintf(o.Transcript, "! %d %s %q %q: %v (%d replies)\n", p.fp.UserID, m.Kind, m.Text, m.Button, err, len(replies))
					}
					ws.errors[errorKind(err)]++
					p.last = nil
					continue
				}
				p.last = replies
				if m.Then != nil && strings.Contains(replies[len(replies)-1].Text, refusedMark) {
					ws.refused++
				}
				clash := clashed(replies)
				if clash {
					ws.clashes++
				}
				if m.Then != nil && !inOrder(replies) {
					ws.outOfOrder++
					if o.Transcript != nil {
						fmt.Fprintf(o.Transcript, "!! %d burst %d+%d out of order: %v\n", p.fp.UserID, m.ID, m.Then.ID, replies)
					}
				}
				if o.Transcript != nil {
					fmt.Fprintf(o.Transcript, "> %d #%d %s %q %q\n", p.fp.UserID, m.ID, m.Kind, m.Text, m.Button)
					for _, r := range replies {
						fmt.Fprintf(o.Transcript, "<   %q %v\n", r.Text, r.Buttons)
					}
				}
				if m.Answer != "" {
					if saved(replies) {
						p.answers = append(p.answers, answerRec{msg: m.ID, code: m.Answer})
						ws.answers = append(ws.answers, lat)
						ws.stored++
						if n := answers.Add(1); o.Answers > 0 && n >= int64(o.Answers) {
							enough()
						}
					} else if !clash { // a colleague's answer first is not a misunderstanding
						ws.corrections++
					}
				}
				if o.DupShare > 0 && rng.Float64() < o.DupShare {
					ws.dups++
					m.Dup = true
					again, err := t.Send(ctx, p.fp, m)
					if err != nil {
						ws.errors["duplicate: "+errorKind(err)]++
					}
					if len(again) > 0 {
						ws.dupReplies++
					}
				}
			}
		}
	}
}

// inOrder reports whether a burst's replies show the document handled before "selesai":
// its receipt first, and the last reply answering "selesai" (not a receipt).
func inOrder(replies []Reply) bool {
	receipt := func(s string) bool { return strings.Contains(s, receiptMark) || strings.Contains(s, alreadyMark) }
	return len(replies) >= 2 && receipt(replies[0].Text) && !receipt(replies[len(replies)-1].Text)
}

// clashed reports whether the replies say that a colleague's answer came first and ask
// which one stands.
func clashed(replies []Reply) bool {
	for _, r := range replies {
		for _, b := range r.Buttons {
			if strings.HasPrefix(b, "n:mine:") {
				return true
			}
		}
	}
	return false
}

// saved reports whether the replies confirm a stored answer.
func saved(replies []Reply) bool {
	for _, r := range replies {
		if strings.Contains(r.Text, "✅") {
			return true
		}
	}
	return false
}

type workerStats struct {
	steps, answers      []time.Duration
	kinds               map[string]int
	errors              map[string]int
	stored, corrections int
	dups, dupReplies    int
	bursts, outOfOrder  int
	refused, clashes    int
}

func newWorkerStats() *workerStats {
	return &workerStats{kinds: map[string]int{}, errors: map[string]int{}}
}

func (r *Result) merge(ws *workerStats) {
	r.Steps += len(ws.steps)
	r.Answers += ws.stored
	r.Corrections += ws.corrections
	r.Bursts += ws.bursts
	r.OutOfOrder += ws.outOfOrder
	r.Refused += ws.refused
	r.Clashes += ws.clashes
	r.Dups += ws.dups
	r.DupReplies += ws.dupReplies
	for k, n := range ws.kinds {
		r.ByKind[k] += n
	}
	for k, n := range ws.errors {
		r.Errors[k] += n
	}
}
