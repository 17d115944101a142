package consoletest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/storage/postgres"
)

// Transcripts lists the console channel's dialogues, bot/console/testdata/*.txt, for any
// channel to replay.
func Transcripts(t testing.TB) []string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("consoletest: cannot locate its own source")
	}
	files, err := filepath.Glob(filepath.Join(filepath.Dir(file), "..", "testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no console transcripts: %v", err)
	}
	return files
}

// The kinds of transcript lines (Line.Op).
const (
	OpSay       = ">"     // the person types a line
	OpWant      = "<"     // the replies contain text, after the previous match
	OpWantRe    = "<~"    // the replies match a regular expression, after the previous match
	OpWantNot   = "<!"    // the replies do not contain text
	OpNone      = "<none" // there is no reply at all
	OpDirective = "@"     // a directive: Text is its name and arguments
)

// Line is one meaningful line of a transcript.
type Line struct {
	No   int    // line number, from 1
	Op   string // one of the Op constants
	Text string // what follows the operator (and its space)
}

// Parse reads a transcript, dropping blank lines and # comments.
func Parse(raw string) ([]Line, error) {
	var lines []Line
	for i, s := range strings.Split(raw, "\n") {
		l := Line{No: i + 1}
		s = strings.TrimRight(s, " \r")
		switch {
		case s == "" || strings.HasPrefix(s, "#"):
			continue
		case s == OpNone:
			l.Op = OpNone
		case strings.HasPrefix(s, "@") && strings.TrimSpace(s[1:]) != "":
			l.Op, l.Text = OpDirective, s[1:]
		default:
			for _, op := range []string{OpSay, OpWantRe, OpWantNot, OpWant} {
				if rest, ok := strings.CutPrefix(s, op+" "); ok {
					l.Op, l.Text = op, rest
					break
				}
			}
			if l.Op == "" {
				return nil, fmt.Errorf("%d: cannot read line %q", l.No, s)
			}
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// Replies are the replies of the latest step; ordered expectations consume them.
type Replies struct {
	text string
	pos  int // where the next ordered expectation starts
}

// Set starts a new step with its replies.
func (r *Replies) Set(text string) { r.text, r.pos = text, 0 }

// String is the whole of the replies.
func (r *Replies) String() string { return r.text }

// Check checks an expectation line (OpWant, OpWantRe, OpWantNot, OpNone) of text.
func (r *Replies) Check(op, text string) error {
	switch op {
	case OpNone:
		if strings.TrimSpace(r.text) != "" {
			return fmt.Errorf("want no reply")
		}
	case OpWantNot:
		if strings.Contains(r.text, text) {
			return fmt.Errorf("replies contain %q", text)
		}
	case OpWantRe:
		re, err := regexp.Compile(text)
		if err != nil {
			return fmt.Errorf("bad regexp: %v", err)
		}
		loc := re.FindStringIndex(r.text[r.pos:])
		if loc == nil {
			return fmt.Errorf("replies do not match %q (from offset %d)", text, r.pos)
		}
		r.pos += loc[1]
	case OpWant:
		k := strings.Index(r.text[r.pos:], text)
		if k < 0 {
			return fmt.Errorf("replies do not contain %q (from offset %d)", text, r.pos)
		}
		r.pos += k + len(text)
	default:
		return fmt.Errorf("not an expectation: %q", op)
	}
	return nil
}

// Channel is one channel's side of a transcript run.
type Channel interface {
	// Say sends text typed by the current speaker and returns the replies klabot sent
	// to that chat; an error (the engine's) fails the test but the run goes on.
	Say(text string) (string, error)
	// Directive runs one of the channel's own directives (as, press, dup, restart,
	// nostate, ...), calling d.Replied when it delivered messages. It reports false for
	// a directive it does not know.
	Directive(d *Directive) bool
}

// Directive is one @ line being run.
type Directive struct {
	Fields  []string // the name (without @), then the arguments
	fail    func(format string, args ...any)
	replied bool
	replies string
	err     error
}

// Name is the directive's name, without @.
func (d *Directive) Name() string { return d.Fields[0] }

// Arg is argument i (from 1); a missing one fails the test.
func (d *Directive) Arg(i int) string {
	if i >= len(d.Fields) {
		d.Fatalf("@%s needs more arguments", d.Fields[0])
	}
	return d.Fields[i]
}

// Num is argument i as a number.
func (d *Directive) Num(i int) int {
	v, err := strconv.Atoi(d.Arg(i))
	if err != nil {
		d.Fatalf("not a number: %q", d.Arg(i))
	}
	return v
}

// Rest is the arguments from i on, joined by spaces.
func (d *Directive) Rest(i int) string { return strings.Join(d.Fields[min(i, len(d.Fields)):], " ") }

// Fatalf fails the test at this line, showing the latest replies.
func (d *Directive) Fatalf(format string, args ...any) { d.fail(format, args...) }

// Expect fails the test when got and want print differently.
func (d *Directive) Expect(what string, got, want any) {
	if fmt.Sprint(got) != fmt.Sprint(want) {
		d.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// Replied records the replies of messages the directive delivered (a new step).
func (d *Directive) Replied(replies string, err error) {
	d.replied, d.replies, d.err = true, replies, err
}

// Run replays the transcript at path on a channel, into the world's engine. The format:
//
//	# comment
//	> text                 the person types a line (buttons: type the number; files: /kirim NAME ...)
//	< text                 the replies contain text, after the previous match (in order)
//	<~ regexp              the replies match the regular expression (after the previous match)
//	<! text                the replies do not contain text
//	<none                  there is no reply at all
//	@file NAME KIND [SIZE] create a test file in FileDir (pdf jpg png webp gif docx xlsx zip doc xls txt)
//	@invite NAME VAR [TTL] create an invite for NAME; $VAR is its code in later lines,
//	                       $SPACEDVAR the same in capitals with a space every 4 characters
//	@answerid CODE VAR     $VAR is the id of CODE's current answer (for @press rv:ok:$VAR)
//	@clock +DURATION       advance the clock
//	@flush                 Redis loses this test's keys
//	@versions CODE N       question CODE has N answer versions
//	@evidence CODE N       the current answer of CODE has N evidence files
//	@skips CODE N          CODE has N skip records
//	@value CODE TEXT       the current answer of CODE is TEXT (value_text, or the number)
//	@narrative CODE TEXT   the current answer of CODE has narrative TEXT
//	@blobs N               the blob store holds N files
//	@inbound N             inbound_messages holds N rows
//
// and the channel's own directives, which every channel has:
//
//	@as NAME               speak as NAME (budi, sari, ani, koor, wali, dewi, john, or a stranger)
//	@press DATA            press a button with DATA (as on an old message)
//	@nostate               no dialogue state is stored for this chat
//	@dup                   the platform delivers the last line's messages again (same ids)
//	@restart               klabot restarts (new engine, empty caches)
//	@inbox NAME            the messages NAME's chat got from others' steps since the last
//	                       @inbox NAME (a colleague's or a coordinator's notice)
func Run(t *testing.T, path string, w *World, ch Channel) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := Parse(string(raw))
	if err != nil {
		t.Fatalf("%s:%v", path, err)
	}
	vars := map[string]string{}
	var r Replies
	var lastLine string
	for _, l := range lines {
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("%s:%d (after %q): %s\n--- replies ---\n%s", path, l.No, lastLine, fmt.Sprintf(format, args...), r.String())
		}
		step := func(replies string, err error) {
			if err != nil {
				t.Errorf("%s:%d: %s: engine error: %v", path, l.No, lastLine, err)
			}
			r.Set(replies)
		}
		text := l.Text
		for k, v := range vars {
			text = strings.ReplaceAll(text, "$"+k, v)
		}
		switch l.Op {
		case OpSay:
			lastLine = text
			step(ch.Say(text))
		case OpDirective:
			d := &Directive{Fields: strings.Fields(text), fail: fail}
			if !w.directive(d, vars) && !ch.Directive(d) {
				fail("unknown directive @%s", d.Name())
			}
			if d.replied {
				step(d.replies, d.err)
			}
		default:
			if err := r.Check(l.Op, text); err != nil {
				fail("%v", err)
			}
		}
	}
}

// directive runs the directives every channel shares; it reports false for others.
func (w *World) directive(d *Directive, vars map[string]string) bool {
	switch d.Name() {
	case "file":
		size := 100
		if len(d.Fields) > 3 {
			size = d.Num(3)
		}
		w.MakeFile(d.Arg(1), d.Arg(2), size)
	case "invite":
		ttl := time.Duration(0)
		if len(d.Fields) > 3 {
			var err error
			if ttl, err = time.ParseDuration(d.Arg(3)); err != nil {
				d.Fatalf("bad ttl: %v", err)
			}
		}
		code, err := w.Store.CreateInvite(w.Ctx, w.People[d.Arg(1)], ttl)
		Must(w.T, err)
		vars[d.Arg(2)] = code
		vars["SPACED"+d.Arg(2)] = spaced(code)
	case "clock":
		dur, err := time.ParseDuration(strings.TrimPrefix(d.Arg(1), "+"))
		if err != nil {
			d.Fatalf("bad duration: %v", err)
		}
		w.Clock.Add(dur)
	case "flush":
		w.Flush()
	case "newyear": // @newyear 2027 2026: the instrument imported for 2027 --from 2026, the region in 2027
		inst := Instrument()
		inst.Year = d.Num(1)
		if _, err := w.Store.ImportInstrument(w.Ctx, inst, postgres.ImportOptions{From: d.Num(2)}); err != nil {
			d.Fatalf("import %d --from %d: %v", d.Num(1), d.Num(2), err)
		}
		r, err := w.Store.Region(w.Ctx, Region)
		Must(w.T, err)
		r.Year = d.Num(1)
		Must(w.T, w.Store.UpsertRegion(w.Ctx, r))
	case "versions":
		d.Expect("versions of "+d.Arg(1), w.QueryInt(`SELECT count(*) FROM answers WHERE region_code=$1 AND question_code=$2`, Region, d.Arg(1)), d.Num(2))
	case "evidence":
		d.Expect("evidence of "+d.Arg(1), w.QueryInt(`SELECT count(*) FROM evidence e JOIN current_answers a ON a.id = e.answer_id
			WHERE a.region_code=$1 AND a.question_code=$2 AND a.year = (SELECT year FROM regions WHERE code=$1)`, Region, d.Arg(1)), d.Num(2))
	case "skips":
		d.Expect("skips of "+d.Arg(1), w.QueryInt(`SELECT count(*) FROM skips WHERE region_code=$1 AND question_code=$2`, Region, d.Arg(1)), d.Num(2))
	case "value":
		var text string
		var number *float64
		Must(w.T, w.Store.Pool().QueryRow(w.Ctx, `SELECT value_text, value_number FROM current_answers WHERE region_code=$1 AND question_code=$2
			AND year = (SELECT year FROM regions WHERE code=$1)`, Region, d.Arg(1)).Scan(&text, &number))
		if text == "" && number != nil {
			text = strconv.FormatFloat(*number, 'f', -1, 64)
		}
		d.Expect("value of "+d.Arg(1), text, d.Rest(2))
	case "narrative":
		var text string
		Must(w.T, w.Store.Pool().QueryRow(w.Ctx, `SELECT narrative FROM current_answers WHERE region_code=$1 AND question_code=$2`,
			Region, d.Arg(1)).Scan(&text))
		d.Expect("narrative of "+d.Arg(1), text, d.Rest(2))
	case "answerid":
		vars[d.Arg(2)] = strconv.Itoa(w.QueryInt(`SELECT id FROM current_answers WHERE region_code=$1 AND question_code=$2`, Region, d.Arg(1)))
	case "blobs":
		d.Expect("stored blobs", w.BlobCount(), d.Num(1))
	case "inbound":
		d.Expect("inbound messages", w.QueryInt(`SELECT count(*) FROM inbound_messages`), d.Num(1))
	default:
		return false
	}
	return true
}

// spaced writes an invite code as people copy it from a poster: capitals, groups of 4.
func spaced(code string) string {
	var b strings.Builder
	for i, r := range strings.ToUpper(code) {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
