package consoletest

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// MakeFile writes FileDir/name, test content of a kind (pdf jpg png webp gif docx xlsx
// zip doc xls txt) padded to about size bytes.
func (w *World) MakeFile(name, kind string, size int) {
	Must(w.T, os.WriteFile(filepath.Join(w.FileDir, name), FileBytes(w.T, kind, size), 0o600))
}

// FileBytes is test content of a kind (see MakeFile) padded to about size bytes; a pdf
// or txt of size 0 is empty.
func FileBytes(t testing.TB, kind string, size int) []byte {
	var data []byte
	switch kind {
	case "pdf":
		data = []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\n")
		if size == 0 {
			data = nil
		}
	case "jpg":
		data = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, []byte("JFIF\x00")...)
	case "png":
		data = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	case "webp":
		data = []byte("RIFF\x24\x00\x00\x00WEBPVP8 ")
	case "gif":
		data = []byte("GIF89a\x01\x00\x01\x00")
	case "docx", "xlsx", "zip":
		part := map[string]string{"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "zip": "catatan.txt"}[kind]
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		f, _ := zw.Create("[Content_Types].xml")
		f.Write([]byte("<Types/>"))
		f, _ = zw.Create(part)
		f.Write([]byte(strings.Repeat("<x/>", size/4+1)))
		Must(t, zw.Close())
		return b.Bytes()
	case "doc", "xls":
		data = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
		data = append(data, make([]byte, 512)...)
		stream := "WordDocument"
		if kind == "xls" {
			stream = "Workbook"
		}
		for _, r := range stream {
			data = append(data, byte(r), 0)
		}
	case "txt":
		data = []byte("ini hanya catatan teks biasa\n")
		if size == 0 {
			data = nil
		}
		for len(data) < size {
			data = append(data, "teks "...)
		}
		return data
	default:
		t.Fatalf("unknown file kind %q", kind)
	}
	for len(data) < size {
		data = append(data, byte(len(data)%251))
	}
	return data
}
