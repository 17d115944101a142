package answering_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/klabot/klabot/conversations/answering"
)

func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func ole(stream string) []byte {
	b := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	b = append(b, make([]byte, 504)...)
	for _, r := range stream {
		b = append(b, byte(r), 0)
	}
	return b
}

func TestSniffEvidence(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		data []byte
		mime string
	}{
		{"pdf", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"docx", zipWith(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx", zipWith(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"doc", ole("WordDocument"), "application/msword"},
		{"xls", ole("Workbook"), "application/vnd.ms-excel"},
		{"zip", zipWith(t, "a.txt"), ""},
		{"pptx-like zip", zipWith(t, "ppt/presentation.xml"), ""},
		{"other ole", ole("__substg1.0_0037001F"), ""},
		{"gif", []byte("GIF89a\x01\x00"), ""},
		{"text", []byte("hello, this is text"), ""},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""},
		{"html", []byte("<html><body>x</body></html>"), ""},
	} {
		got, what := answering.SniffEvidence(c.data)
		if got != c.mime {
			t.Errorf("%s: got %q (%q), want %q", c.name, got, what, c.mime)
		}
	}
}
