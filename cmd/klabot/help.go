package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// helpEntry is the `--help` of one command or subcommand.
type helpEntry struct {
	usage    string   // after "klabot <path> "
	about    string   // what it does, a few lines
	examples []string // full command lines
	// flags: the command parses its flags before doing anything, so running it with
	// --help (output captured) lists every flag with its default, from the code itself.
	flags bool
	subs  []string // a group: its subcommands
}

// helpTable is every command's help, by command path ("region add").
func helpTable() map[string]helpEntry {
	return map[string]helpEntry{
		"migrate": {usage: "", flags: true,
			about:    "Creates the database named in DATABASE_URL when missing and applies the embedded migrations.\nEvery command that needs the database does this too.",
			examples: []string{"DATABASE_URL=postgres://klabot@db:5432/klabot klabot migrate"}},
		"seed": {usage: "", flags: true,
			about:    "Loads the bundled 2026 sample instrument and the sample region Kota Contoh, idempotently.",
			examples: []string{"klabot seed"}},
		"import": {usage: "FILE --year YYYY [--from YYYY] [--name NAME] [--dry-run] [--force] [--json]", flags: true,
			about: "Imports the year's instrument (borang) from XLSX, CSV or YAML; nothing is written when the file\n" +
				"has a problem. Re-importing a year lists the changes first (added, changed, retired, with the\n" +
				"answers each touches) and refuses a change that touches answers already given unless --force\n" +
				"is set; options renamed at the same position with the same fraction keep their answers.\n" +
				"--from links a new year to the last one: unchanged questions offer last year's answer and\n" +
				"evidence as a suggestion.",
			examples: []string{"klabot import borang-2026.xlsx --year 2026 --dry-run", "klabot import borang-2027.xlsx --year 2027 --from 2026"}},
		"region": {usage: "add|set|list [flags]", subs: []string{"add", "set", "list"},
			about:    "Manages regions: code, name, time zone (WIB, WITA, WIT), digest hour, deadline, year.",
			examples: []string{"klabot region list"}},
		"region add": {usage: `--code CODE --name "NAME" --tz WITA [--kind kabupaten|kota] [--province P] [--digest-hour 7] [--deadline DD/MM/YYYY] [--year YYYY]`, flags: true,
			about:    "Creates a region. --tz takes WIB, WITA, WIT or their IANA names (Asia/Jakarta, Asia/Pontianak,\nAsia/Makassar, Asia/Jayapura); a deadline must not be in the past.",
			examples: []string{`klabot region add --code KAB-MAROS --name "Kabupaten Maros" --tz WITA --province "Sulawesi Selatan" --deadline 30/11/2026`}},
		"region set": {usage: "--code CODE [any flag of add]", flags: true,
			about:    "Changes only the flags given; `--deadline none` clears the deadline. Says so when nothing changes.",
			examples: []string{"klabot region set --code KAB-MAROS --deadline 18/12/2026", "klabot region set --code KAB-MAROS --deadline none"}},
		"region list": {usage: "[--json]", flags: true,
			about:    "Lists the regions with their settings.",
			examples: []string{"klabot region list --json"}},
		"roster": {usage: "import|list [flags]", subs: []string{"import", "list"},
			about:    "A region's OPDs and people.",
			examples: []string{"klabot roster list --region KOTA-CONTOH"}},
		"roster import": {usage: "FILE --region CODE [--dry-run]", flags: true,
			about:    "Imports OPDs and people from XLSX, CSV or YAML (opd_code, opd_name, name, role, phone, answers_for).\nUnknown roles, unknown answers_for codes and malformed phones are refused with their row numbers.",
			examples: []string{"klabot roster import roster-maros.xlsx --region KAB-MAROS --dry-run"}},
		"roster list": {usage: "--region CODE [--json]", flags: true,
			about:    "Lists a region's OPDs and people.",
			examples: []string{"klabot roster list --region KOTA-CONTOH --json"}},
		"person": {usage: "set|deactivate [flags]", subs: []string{"set", "deactivate"},
			about:    "Changes one person of a roster: move to another OPD, rename, change phone or role, deactivate.",
			examples: []string{"klabot person deactivate --id 42"}},
		"person set": {usage: "--id ID [--opd CODE] [--name NAME] [--phone 0812...] [--role ROLE] [--active=true] [--json]", flags: true,
			about:    "Changes only the flags given.",
			examples: []string{"klabot person set --id 42 --opd DINKES"}},
		"person deactivate": {usage: "--id ID [--json]", flags: true,
			about:    "Deactivates a person: no more digests, nudges or chat access; their answers stay.",
			examples: []string{"klabot person deactivate --id 42"}},
		"invite": {usage: `--region CODE --role ROLE [--opd CODE] --name "NAME" [--phone 0812...] [--ttl 168h] [--json]`, flags: true,
			about:    "Creates a single-use invite (stored only as a hash) for a person, binding to the roster person\nof the same name when there is one, and prints the code and the Telegram deep link.",
			examples: []string{`klabot invite --region KAB-MAROS --role focal_point --opd DINKES --name "dr. Andi Pratama"`}},
		"demo": {usage: "",
			about:    "Seeds the sample and opens a console chat as the focal point of Bagian Hukum of Kota Contoh.\nType `mulai`; /kirim PATH sends a file; /keluar leaves.",
			examples: []string{"klabot demo"}},
		"chat": {usage: "--invite CODE | --person ID", flags: true,
			about:    "A console chat on the real engine and stores.",
			examples: []string{"klabot chat --invite HAXED7DM62", "klabot chat --person 3"}},
		"score": {usage: "--region CODE [--year YYYY] [--json] [--gaps N] [--snapshot]", flags: true,
			about:    "Claimed, evidenced and verified score, tier, next tier, per cluster, indicator and OPD, ranked gaps.",
			examples: []string{"klabot score --region KOTA-CONTOH --gaps 5"}},
		"digest": {usage: "--region CODE [--send] [--png FILE]", flags: true,
			about:    "Prints a region's digest (and writes its chart with --png). Sends it to the coordinators and\nthe digest group only with --send (through the outbound queue: Telegram here, WhatsApp by the\n`klabot serve` holding the session; it does not claim the day's scheduled digest).",
			examples: []string{"klabot digest --region KOTA-CONTOH --png digest.png", "TELEGRAM_TOKEN=... klabot digest --region KOTA-CONTOH --send"}},
		"notifications": {usage: "--region CODE [--person ID] [--limit 100]", flags: true,
			about:    "Lists who got what and when, with the outcome (terkirim, gagal, tidak bisa dihubungi, menunggu\nantrean), newest first, in the region's time zone: the outbound queue's deliveries log.",
			examples: []string{"klabot notifications --region KOTA-CONTOH", "klabot notifications --region KOTA-CONTOH --person 3"}},
		"export": {usage: "--region CODE [--year YYYY] --out FILE.zip", flags: true,
			about:    "Writes the evidence pack for the ministry's upload.",
			examples: []string{"klabot export --region KOTA-CONTOH --out pack.zip"}},
		"serve": {usage: "", flags: true,
			about:    "Runs the bot: Telegram, WhatsApp, the digest and nudge scheduler, /healthz, /readyz, /metrics.\nConfiguration from the environment (see README.md and deploy/klabot.env.example).",
			examples: []string{"TELEGRAM_TOKEN=123:abc klabot serve"}},
		"weblink": {usage: "--person ID | --region CODE", flags: true,
			about:    "Prints a one-time login link to the web dashboard for a coordinator, head or admin\n(--region: the region's first coordinator).",
			examples: []string{"klabot weblink --region KOTA-CONTOH", "klabot weblink --person 3"}},
		"healthcheck": {usage: "[--url URL] [--timeout 3s]", flags: true,
			about:    "Asks a running `klabot serve` for /healthz; exits 0 when it answers 200, 1 otherwise.\nFor container healthchecks (works in the distroless image, which has no shell or curl).",
			examples: []string{"klabot healthcheck", "klabot healthcheck --url http://127.0.0.1:8080/readyz"}},
		"version": {usage: "",
			about:    "Prints the version, the commit and the Go version it was built with (also: klabot --version).",
			examples: []string{"klabot version"}},
		"loadtest": {usage: "[flags] | sender [flags]", flags: true,
			about:    "Load test and benchmarks on a synthetic national dataset (see BENCHMARKS.md). Use a database of its own.",
			examples: []string{"DATABASE_URL=postgres://postgres@127.0.0.1:5432/klabot_load?sslmode=disable klabot loadtest --duration 30s"}},
		"loadtest sender": {usage: "[--nudges 10000] [--rate 30] [--sender-rate 29.5]", flags: true,
			about:    "Nudges through the durable outbound queue to a fake Bot API that enforces Telegram's limits.",
			examples: []string{"klabot loadtest sender --nudges 1000"}},
		"whatsapp": {usage: "pair|status|groups [flags]", subs: []string{"pair", "status", "groups"},
			about:    "The WhatsApp device: link a number, check it, list its groups.",
			examples: []string{"klabot whatsapp status"}},
		"whatsapp pair": {usage: "[--phone +62...] [--timeout 3m]", flags: true,
			about:    "Links a WhatsApp number by QR code, or by a pairing code typed on the phone with --phone.",
			examples: []string{"klabot whatsapp pair --phone +6281234567890"}},
		"whatsapp status": {usage: "[--connect]", flags: true,
			about:    "Shows the paired number and whether a process holds the session.",
			examples: []string{"klabot whatsapp status --connect"}},
		"whatsapp groups": {usage: "",
			about:    "Lists the groups of the paired number (to set a region's digest group).",
			examples: []string{"klabot whatsapp groups"}},
	}
}

// wantsHelp reports whether args ask for help (-h, -help, --help before a "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// printHelp writes the help of the longest command path args start with.
func printHelp(ctx context.Context, app *App, args []string) error {
	table := helpTable()
	var words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		words = append(words, a)
	}
	path := ""
	for n := len(words); n > 0; n-- {
		if _, ok := table[strings.Join(words[:n], " ")]; ok {
			path = strings.Join(words[:n], " ")
			break
		}
	}
	h, ok := table[path]
	if !ok {
		usage(app.Stdout, commands())
		return nil
	}
	w := app.Stdout
	fmt.Fprintf(w, "Usage: klabot %s", path)
	if h.usage != "" {
		fmt.Fprintf(w, " %s", h.usage)
	}
	fmt.Fprintf(w, "\n\n%s\n", h.about)
	if len(h.subs) > 0 {
		fmt.Fprintln(w, "\nCommands:")
		for _, s := range h.subs {
			fmt.Fprintf(w, "  %-12s klabot %s %s\n", s, path, table[path+" "+s].usage)
		}
		fmt.Fprintf(w, "\nklabot %s COMMAND --help shows a command's flags.\n", path)
	}
	if h.flags {
		flags, err := flagHelp(ctx, app, strings.Fields(path))
		if err != nil {
			return err
		}
		if flags != "" {
			fmt.Fprintf(w, "\nFlags:\n%s", flags)
		}
	}
	fmt.Fprintln(w, "\nExamples:")
	for _, e := range h.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
	return nil
}

// flagHelp runs the command with --help and an App whose output is captured: the flag
// package prints every flag the command defines (and the command stops before doing
// anything else). The "Usage of ..." line it starts with is dropped.
func flagHelp(ctx context.Context, app *App, path []string) (string, error) {
	var buf bytes.Buffer
	probe := *app
	probe.Stdout, probe.Stderr, probe.Stdin = io.Discard, &buf, strings.NewReader("")
	c, ok := commands()[path[0]]
	if !ok {
		return "", fmt.Errorf("no command %q", path[0])
	}
	_ = c.run(ctx, &probe, append(path[1:], "--help")) // returns flag.ErrHelp as a usage error
	out := buf.String()
	if strings.HasPrefix(out, "Usage of ") {
		if i := strings.IndexByte(out, '\n'); i >= 0 {
			out = out[i+1:]
		}
	}
	return out, nil
}
