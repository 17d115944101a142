package evidencepack

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("laporan kegiatan ", 20) + ".pdf"
	for _, tc := range []struct{ in, want string }{
		{"foto.jpg", "foto.jpg"},
		{"SK Gugus Tugas 2025/2026.pdf", "SK Gugus Tugas 2025_2026.pdf"},
		{`a\b:c*d?e"f<g>h|i.docx`, "a_b_c_d_e_f_g_h_i.docx"},
		{"laporan. . ", "laporan"},
		{"  spasi depan.pdf", "spasi depan.pdf"},
		{"CON.txt", "_CON.txt"},
		{"con", "_con"},
		{"Lpt1.pdf", "_Lpt1.pdf"},
		{"COM10.pdf", "COM10.pdf"},
		{"📷 foto posyandu 🎉.jpg", "📷 foto posyandu 🎉.jpg"},
		{"tab\there\x00.pdf", "tab here_.pdf"},
		{"", "berkas.pdf"},
		{"...", "berkas.pdf"},
		{"/", "_"},
		{"bad\xffutf8.pdf", "bad_utf8.pdf"},
	} {
		if got := SafeName(tc.in, "berkas.pdf", maxNameRunes); got != tc.want {
			t.Errorf("SafeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got := SafeName(long, "x", maxNameRunes)
	if n := utf8.RuneCountInString(got); n > maxNameRunes || !strings.HasSuffix(got, ".pdf") || strings.HasSuffix(strings.TrimSuffix(got, ".pdf"), " ") {
		t.Errorf("long name -> %q (%d runes)", got, n)
	}
	emoji := SafeName(strings.Repeat("🎉", 100)+".jpg", "x", maxNameRunes)
	if !utf8.ValidString(emoji) || utf8.RuneCountInString(emoji) != maxNameRunes || !strings.HasSuffix(emoji, ".jpg") {
		t.Errorf("long emoji name -> %q", emoji)
	}
}

func TestUniqueNamesInFolder(t *testing.T) {
	t.Parallel()
	f := newFolder()
	var got []string
	for _, n := range []string{"foto.jpg", "foto.jpg", "FOTO.JPG", "foto (2).jpg", "laporan", "laporan",
		strings.Repeat("a", 76) + ".pdf", strings.Repeat("a", 76) + ".pdf"} {
		got = append(got, f.unique(n, maxNameRunes))
	}
	want := []string{"foto.jpg", "foto (2).jpg", "FOTO (3).JPG", "foto (2) (2).jpg", "laporan", "laporan (2)",
		strings.Repeat("a", 76) + ".pdf", strings.Repeat("a", 72) + " (2).pdf"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, got[i], want[i])
		}
	}
}
