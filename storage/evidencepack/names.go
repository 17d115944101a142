package evidencepack

import (
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameRunes bounds one path element, so that cluster/indicator/question/file stays
// well below Windows' 260-character path limit after unpacking into a folder.
const maxNameRunes = 80

// reservedNames are device names Windows refuses as file names, with any extension.
var reservedNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// SafeName turns any name into one path element that Windows, macOS and Linux accept:
// no \ / : * ? " < > | or control characters, no leading or trailing spaces, no trailing
// dots, no device names (CON, PRN, COM1 ...), at most max runes with the extension kept.
// An empty result becomes fallback.
func SafeName(name, fallback string, max int) string {
	name = strings.ToValidUTF8(name, "_")
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			b.WriteRune(' ') // tabs, line breaks, non-breaking spaces become plain ones
		case strings.ContainsRune(`\/:*?"<>|`, r), r < 0x20, r == 0x7f:
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name = trimEnds(b.String())
	if name == "" {
		name = fallback
	}
	base, ext := splitExt(name)
	if reservedNames[strings.ToUpper(strings.TrimRight(base, " "))] {
		base = "_" + base
	}
	return truncate(base, ext, max)
}

// trimEnds removes the spaces and dots Windows drops or refuses at the ends of a name.
func trimEnds(s string) string {
	s = strings.TrimLeft(s, " ")
	return strings.TrimRight(s, " .")
}

// splitExt splits "laporan.final.pdf" into "laporan.final" and ".pdf". A leading dot or a
// long "extension" is part of the base.
func splitExt(name string) (string, string) {
	ext := path.Ext(name)
	if ext == name || utf8.RuneCountInString(ext) > 10 || strings.ContainsRune(ext, ' ') {
		return name, ""
	}
	return strings.TrimSuffix(name, ext), ext
}

// truncate keeps base+ext within max runes, cutting the base and never the extension.
func truncate(base, ext string, max int) string {
	if max <= 0 {
		max = maxNameRunes
	}
	room := max - utf8.RuneCountInString(ext)
	if room < 1 {
		room, ext = max, ""
	}
	if utf8.RuneCountInString(base) > room {
		base = trimEnds(string([]rune(base)[:room]))
		if base == "" {
			base = "_"
		}
	}
	return base + ext
}

// folder hands out names unique within one folder. Windows compares names without case,
// so "Foto.jpg" and "foto.JPG" collide; the second becomes "foto (2).JPG".
type folder struct {
	taken map[string]bool
}

func newFolder() *folder { return &folder{taken: map[string]bool{}} }

// unique returns name, or name with " (n)" before its extension, whichever is free, and
// marks it taken. The result stays within max runes.
func (f *folder) unique(name string, max int) string {
	base, ext := splitExt(name)
	for n := 1; ; n++ {
		candidate := name
		if n > 1 {
			suffix := " (" + strconv.Itoa(n) + ")"
			candidate = truncate(base, suffix+ext, max)
		}
		key := strings.ToLower(candidate)
		if !f.taken[key] {
			f.taken[key] = true
			return candidate
		}
	}
}
