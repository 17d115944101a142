// Command klabot runs the KLA self-assessment through chat. One binary, subcommands:
// see usage below or the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: it parses its own flags from args.
type command struct {
	summary string
	run     func(ctx context.Context, app *App, args []string) error
}

// commands is the subcommand table, wired explicitly (no init registries).
func commands() map[string]command {
	return map[string]command{
		"migrate":       {"create the database if needed and apply migrations", runMigrate},
		"seed":          {"load the bundled sample instrument and sample region (idempotent)", runSeed},
		"import":        {"import an instrument: klabot import FILE --year YYYY", runImport},
		"region":        {"manage regions: klabot region add --code C --name N --tz Asia/Makassar", runRegion},
		"roster":        {"import a region's OPDs and people: klabot roster import FILE --region C", runRoster},
		"invite":        {"create a single-use invite: klabot invite --region C --role R [--opd O] --name N", runInvite},
		"demo":          {"console chat as a sample focal point on the bundled sample region", runDemo},
		"chat":          {"console chat: klabot chat --invite CODE | --person ID", runChat},
		"score":         {"scores, tier and gaps: klabot score --region C [--year Y] [--json]", runScore},
		"serve":         {"run the bot (Telegram, WhatsApp), schedulers and the HTTP endpoints", runServe},
		"digest":        {"print a region's digest: klabot digest --region C [--png FILE]; --send sends it", runDigest},
		"notifications": {"who got what, when, outcome: klabot notifications --region C [--person ID]", runNotifications},
		"export":        {"evidence pack: klabot export --region C [--year Y] --out FILE.zip", runExport},
		"loadtest":      {"load test and benchmarks on a synthetic national dataset (see BENCHMARKS.md)", runLoadtest},
		"weblink":       {"one-time dashboard login link: klabot weblink --person ID | --region C", runWeblink},
		"whatsapp":      {"WhatsApp device: klabot whatsapp pair [--phone +62...] | status | groups", runWhatsApp},
		"person":        {"change one person: klabot person set --id ID [--opd CODE] | deactivate --id ID", runPerson},
		"version":       {"print the version and commit (also --version)", runVersion},
		"healthcheck":   {"exit 0 when a running klabot serve answers /healthz (for container healthchecks)", runHealthcheck},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := NewApp(os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	defer app.Close()
	if err := run(ctx, app, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "klabot:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, app *App, args []string) error {
	cmds := commands()
	switch {
	case len(args) == 0 || (len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help")):
		usage(app.Stdout, cmds)
		return nil
	case args[0] == "--version" || args[0] == "-version":
		return runVersion(ctx, app, args[1:])
	case args[0] == "help":
		return printHelp(ctx, app, args[1:])
	case wantsHelp(args):
		if _, ok := cmds[args[0]]; ok {
			return printHelp(ctx, app, args)
		}
	}
	c, ok := cmds[args[0]]
	if !ok {
		usage(app.Stderr, cmds)
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	if _, err := app.Config(); err != nil && args[0] != "version" {
		return err // a bad variable stops every command at start, naming it
	}
	return c.run(ctx, app, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "klabot — KLA self-assessment through chat\n\nUsage: klabot COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nklabot COMMAND --help shows a command's flags and examples.")
	fmt.Fprintln(w, "Configuration comes from environment variables; see README.md.")
}
