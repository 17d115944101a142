package answering

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
)

// The evidence types klabot accepts, by content.
const (
	mimePDF  = "application/pdf"
	mimeJPEG = "image/jpeg"
	mimePNG  = "image/png"
	mimeWEBP = "image/webp"
	mimeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimeDOC  = "application/msword"
	mimeXLS  = "application/vnd.ms-excel"
)

// oleHeader starts every OLE2 compound file (legacy .doc and .xls).
var oleHeader = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// SniffEvidence returns the MIME type of data when it is an accepted evidence type, or ""
// with a short description of what it is ("ZIP", "text/plain"; "" when unknown) for the
// refusal.
// The declared name and type are not trusted: only the content decides.
func SniffEvidence(data []byte) (mime string, what string) {
	ct := http.DetectContentType(data)
	base, _, _ := strings.Cut(ct, ";")
	switch base {
	case mimePDF, mimeJPEG, mimePNG, mimeWEBP:
		return base, ""
	case "application/zip":
		return sniffZip(data)
	}
	if bytes.HasPrefix(data, oleHeader) {
		return sniffOLE(data)
	}
	if base == "application/octet-stream" {
		return "", "" // unknown binary
	}
	return "", base
}

// sniffZip tells Office Open XML documents from other ZIP files by their parts.
func sniffZip(data []byte) (string, string) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", "ZIP"
	}
	for _, f := range zr.File {
		switch {
		case f.Name == "word/document.xml":
			return mimeDOCX, ""
		case f.Name == "xl/workbook.xml":
			return mimeXLSX, ""
		}
	}
	return "", "ZIP"
}

// sniffOLE looks for the stream names of Word ("WordDocument") and Excel ("Workbook",
// "Book") in the compound file's directory, which holds UTF-16 names; other OLE files
// (Outlook messages, PowerPoint) are refused.
func sniffOLE(data []byte) (string, string) {
	switch {
	case bytes.Contains(data, utf16("WordDocument")):
		return mimeDOC, ""
	case bytes.Contains(data, utf16("Workbook")), bytes.Contains(data, utf16("Book")):
		return mimeXLS, ""
	}
	return "", "OLE"
}

func utf16(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}
