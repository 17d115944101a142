package answering

import "testing"

func TestEndSentence(t *testing.T) {
	for in, want := range map[string]string{
		"✅ Tersimpan: Ya": "✅ Tersimpan: Ya.",
		"✅ Tersimpan: Forum Anak aktif di 12 kecamatan.": "✅ Tersimpan: Forum Anak aktif di 12 kecamatan.",
		"✅ Tersimpan: Sudah?":                            "✅ Tersimpan: Sudah?",
		"✅ Tersimpan: 87,5%":                             "✅ Tersimpan: 87,5%.",
	} {
		if got := endSentence(in); got != want {
			t.Errorf("endSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
