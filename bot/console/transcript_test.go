package console_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/conversations"
)

// TestTranscripts replays every testdata/*.txt dialogue against the real engine, Postgres
// and Redis. The format:
//
//	# comment
//	@as NAME               speak as NAME's console chat (budi, sari, ani, koor, wali, dewi, john, or a stranger)
//	> text                 the person types a line (buttons: type the number; files: /kirim NAME)
//	< text                 the replies contain text, after the previous match (in order)
//	<~ regexp              the replies match the regular expression (after the previous match)
//	<! text                the replies do not contain text
//	<none                  there is no reply at all
//	@press DATA            press a button with DATA (as on an old message)
//	@nostate               no dialogue state is stored for this chat
//	@dup                   the platform delivers the last line's messages again (same ids)
//	@flush                 Redis loses this test's keys
//	@restart               klabot restarts (new engine, empty caches)
//	@file NAME KIND [SIZE] create a test file (pdf jpg png webp gif docx xlsx zip doc xls txt)
//	@invite NAME VAR [TTL] create an invite for NAME; $VAR is its code in later lines
//	@clock +DURATION       advance the clock
//	@versions CODE N       question CODE has N answer versions
//	@evidence CODE N       the current answer of CODE has N evidence files
//	@skips CODE N          CODE has N skip records
//	@value CODE TEXT       the current answer of CODE is TEXT (value_text, or the number)
//	@narrative CODE TEXT   the current answer of CODE has narrative TEXT
//	@blobs N               the blob store holds N files
//	@inbound N             inbound_messages holds N rows
func TestTranscripts(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			runTranscript(t, f)
		})
	}
}

func runTranscript(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	cur := w.session("budi")
	var reply string // the replies of the latest step
	var pos int      // where the next ordered expectation starts
	var lastLine string
	step := func(lineNo int, outs []conversations.Outbound, err error) {
		if err != nil {
			t.Errorf("%s:%d: %s: engine error: %v", path, lineNo, lastLine, err)
		}
		reply = console.Render(outs)
		pos = 0
	}
	fail := func(lineNo int, format string, args ...any) {
		t.Helper()
		t.Fatalf("%s:%d (after %q): %s\n--- replies ---\n%s", path, lineNo, lastLine, fmt.Sprintf(format, args...), reply)
	}
	for i, line := range strings.Split(string(raw), "\n") {
		n := i + 1
		line = strings.TrimRight(line, " \r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for k, v := range w.vars {
			line = strings.ReplaceAll(line, "$"+k, v)
		}
		switch {
		case strings.HasPrefix(line, "> "):
			text := line[2:]
			lastLine = text
			if rest, ok := strings.CutPrefix(text, "/kirim "); ok {
				var paths []string
				for _, p := range strings.Fields(rest) {
					paths = append(paths, filepath.Join(w.fileDir, p))
				}
				text = "/kirim " + strings.Join(paths, " ")
			}
			outs, err := cur.Send(w.ctx, text)
			step(n, outs, err)
		case line == "<none":
			if strings.TrimSpace(reply) != "" {
				fail(n, "want no reply")
			}
		case strings.HasPrefix(line, "<! "):
			if strings.Contains(reply, line[3:]) {
				fail(n, "replies contain %q", line[3:])
			}
		case strings.HasPrefix(line, "<~ "):
			re, err := regexp.Compile(line[3:])
			if err != nil {
				fail(n, "bad regexp: %v", err)
			}
			loc := re.FindStringIndex(reply[pos:])
			if loc == nil {
				fail(n, "replies do not match %q (from offset %d)", line[3:], pos)
			}
			pos += loc[1]
		case strings.HasPrefix(line, "< "):
			k := strings.Index(reply[pos:], line[2:])
			if k < 0 {
				fail(n, "replies do not contain %q (from offset %d)", line[2:], pos)
			}
			pos += k + len(line[2:])
		case strings.HasPrefix(line, "@"):
			f := strings.Fields(line[1:])
			w.directive(t, path, n, f, &cur, step)
		default:
			t.Fatalf("%s:%d: cannot read line %q", path, n, line)
		}
	}
}

func (w *world) directive(t *testing.T, path string, n int, f []string, cur **console.Session, step func(int, []conversations.Outbound, error)) {
	bad := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s:%d: %s", path, n, fmt.Sprintf(format, args...))
	}
	arg := func(i int) string {
		if i >= len(f) {
			bad("@%s needs more arguments", f[0])
		}
		return f[i]
	}
	num := func(i int) int {
		v, err := strconv.Atoi(arg(i))
		if err != nil {
			bad("not a number: %q", arg(i))
		}
		return v
	}
	rest := func(i int) string { return strings.Join(f[i:], " ") }
	expect := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			bad("%s: got %v, want %v", what, got, want)
		}
	}
	region := "KOTA-UJI"
	switch f[0] {
	case "as":
		*cur = w.session(arg(1))
	case "press":
		outs, err := (*cur).Press(w.ctx, arg(1))
		step(n, outs, err)
	case "nostate":
		keys, err := w.rdb.Keys(w.ctx, w.prefix+"state:*").Result()
		must(t, err)
		for _, k := range keys {
			if strings.Contains(k, (*cur).Address().ChatID) {
				bad("state stored for %s: %s", (*cur).Address().ChatID, k)
			}
		}
	case "dup":
		outs, err := (*cur).Redeliver(w.ctx)
		step(n, outs, err)
	case "flush":
		w.flush()
	case "restart":
		w.restart()
		*cur = w.sessions[sessionName(w, *cur)]
	case "file":
		size := 100
		if len(f) > 3 {
			size = num(3)
		}
		w.makeFile(arg(1), arg(2), size)
	case "invite":
		ttl := time.Duration(0)
		if len(f) > 3 {
			d, err := time.ParseDuration(arg(3))
			if err != nil {
				bad("bad ttl: %v", err)
			}
			ttl = d
		}
		code, err := w.store.CreateInvite(w.ctx, w.people[arg(1)], ttl)
		must(t, err)
		w.vars[arg(2)] = code
	case "clock":
		d, err := time.ParseDuration(strings.TrimPrefix(arg(1), "+"))
		if err != nil {
			bad("bad duration: %v", err)
		}
		w.clock.Add(d)
	case "versions":
		expect("versions of "+arg(1), w.queryInt(`SELECT count(*) FROM answers WHERE region_code=$1 AND question_code=$2`, region, arg(1)), num(2))
	case "evidence":
		expect("evidence of "+arg(1), w.queryInt(`SELECT count(*) FROM evidence e JOIN current_answers a ON a.id = e.answer_id
			WHERE a.region_code=$1 AND a.question_code=$2`, region, arg(1)), num(2))
	case "skips":
		expect("skips of "+arg(1), w.queryInt(`SELECT count(*) FROM skips WHERE region_code=$1 AND question_code=$2`, region, arg(1)), num(2))
	case "value":
		var text string
		var number *float64
		must(t, w.store.Pool().QueryRow(w.ctx, `SELECT value_text, value_number FROM current_answers WHERE region_code=$1 AND question_code=$2`,
			region, arg(1)).Scan(&text, &number))
		if text == "" && number != nil {
			text = strconv.FormatFloat(*number, 'f', -1, 64)
		}
		expect("value of "+arg(1), text, rest(2))
	case "narrative":
		var text string
		must(t, w.store.Pool().QueryRow(w.ctx, `SELECT narrative FROM current_answers WHERE region_code=$1 AND question_code=$2`,
			region, arg(1)).Scan(&text))
		expect("narrative of "+arg(1), text, rest(2))
	case "blobs":
		expect("stored blobs", w.blobCount(), num(1))
	case "inbound":
		expect("inbound messages", w.queryInt(`SELECT count(*) FROM inbound_messages`), num(1))
	default:
		bad("unknown directive @%s", f[0])
	}
}

func sessionName(w *world, s *console.Session) string {
	for name, x := range w.sessions {
		if x.Address() == s.Address() {
			return name
		}
	}
	return ""
}
