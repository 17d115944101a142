package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestEveryCommandHasHelp: `klabot COMMAND --help` exits 0 (no error) and prints the
// command's usage, its flags and an example, for every command and subcommand, without
// touching the database (DATABASE_URL points nowhere).
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	table := helpTable()
	for name := range commands() {
		if _, ok := table[name]; !ok {
			t.Errorf("command %q has no help entry", name)
		}
	}
	env := map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?sslmode=disable"}
	for path, h := range table {
		for _, helpFlag := range []string{"--help", "-h"} {
			var out, errOut bytes.Buffer
			app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
			args := append(strings.Fields(path), helpFlag)
			if err := run(context.Background(), app, args); err != nil {
				t.Errorf("klabot %s: err = %v", strings.Join(args, " "), err)
				continue
			}
			got := out.String()
			if !strings.HasPrefix(got, "Usage: klabot "+path) || !strings.Contains(got, "\nExamples:\n  klabot ") && !strings.Contains(got, "\nExamples:\n  ") {
				t.Errorf("klabot %s:\n%s", strings.Join(args, " "), got)
			}
			if h.flags && path != "migrate" && path != "seed" && path != "serve" && !strings.Contains(got, "\nFlags:\n  -") {
				t.Errorf("klabot %s lists no flags:\n%s", strings.Join(args, " "), got)
			}
			if errOut.Len() > 0 {
				t.Errorf("klabot %s wrote to stderr: %s", strings.Join(args, " "), errOut.String())
			}
		}
	}
}

func TestImportHelpListsEveryFlag(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	app := NewApp(func(string) string { return "" }, nil, &out, &out)
	if err := run(context.Background(), app, []string{"help", "import"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-year", "-from", "-name", "-dry-run", "-force", "-json", "klabot import borang-2027.xlsx --year 2027 --from 2026"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("import help lacks %s:\n%s", f, out.String())
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out bytes.Buffer
		app := NewApp(func(string) string { return "" }, nil, &out, &out)
		if err := run(context.Background(), app, args); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), "klabot ") || !strings.Contains(out.String(), "commit ") {
			t.Errorf("%v: %q", args, out.String())
		}
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	app := NewApp(func(string) string { return "" }, nil, &out, &out)
	err := run(context.Background(), app, []string{"nope", "--help"})
	if _, ok := err.(usageError); !ok {
		t.Fatalf("err = %v, want a usage error", err)
	}
}
