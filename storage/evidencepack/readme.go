package evidencepack

import (
	"archive/zip"
	"fmt"
	"github.com/klabot/klabot/conversations/idfmt"
	"strings"
	"time"
)

// writeReadme writes BACA-SAYA.txt: what the pack is, what is in it, and what to do with
// it, in Indonesian, with Windows line endings so Notepad shows it right.
func writeReadme(zw *zip.Writer, in Input, sum Summary, loc *time.Location) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	region := in.Region.Name
	if region == "" {
		region = in.Region.Code
	}
	p("PAKET BUKTI DUKUNG KLA — %s (%s), tahun %d", region, in.Region.Code, in.Instrument.Year)
	p("Dibuat oleh klabot pada %s.", idfmt.DateTime(in.GeneratedAt, loc))
	p("")
	p("Isi paket:")
	p("- %s: satu baris per pertanyaan (jawaban, narasi, OPD, penjawab, waktu, status", WorkbookName)
	p("  tinjauan, poin klaim/berbukti/terverifikasi, nama berkas). Lembar \"%s\" memuat", SummarySheet)
	p("  semua pertanyaan; ada juga satu lembar per klaster.")
	p("- Folder per klaster / indikator / pertanyaan berisi berkas bukti dukung dengan nama")
	p("  aslinya. Tanda yang tidak boleh dipakai di Windows (\\ / : * ? \" < > |) diganti \"_\";")
	p("  nama yang sama dalam satu folder diberi nomor, misalnya \"foto (2).jpg\".")
	p("")
	p("Jumlah: %d pertanyaan, %d dijawab, %d berkas bukti (%s).", sum.Questions, sum.Answered, sum.Files, idfmt.Size(sum.Bytes, "id"))
	p("Poin: klaim %s, berbukti %s, terverifikasi %s dari %s.", idfmt.Points(sum.Points.Claimed),
		idfmt.Points(sum.Points.Evidenced), idfmt.Points(sum.Points.Verified), idfmt.Points(sum.Points.Max))
	p("- Klaim: semua jawaban terkini. Berbukti: hanya jawaban yang bukti wajibnya sudah ada.")
	p("- Terverifikasi: hanya jawaban yang sudah diterima koordinator. Selisih klaim dan")
	p("  terverifikasi adalah poin yang berisiko hilang saat verifikasi lapangan.")
	p("")
	if sum.Files == 0 {
		p("Belum ada berkas bukti dukung untuk wilayah ini.")
		p("")
	}
	if len(sum.Missing) > 0 {
		p("PERHATIAN: %d berkas tidak ditemukan di penyimpanan klabot dan tidak ada di paket ini:", len(sum.Missing))
		for _, m := range sum.Missing {
			p("- %s", m)
		}
		p("Minta OPD yang bersangkutan mengirim ulang berkas tersebut.")
		p("")
	}
	p("Cara memakai: unggah setiap berkas ke pertanyaan yang sama di situs evaluasi KLA")
	p("Kemen PPPA, dengan jawaban dan narasi dari %s.", WorkbookName)
	dst, err := zw.CreateHeader(&zip.FileHeader{Name: ReadmeName, Method: zip.Deflate, Modified: in.GeneratedAt.In(loc)})
	if err != nil {
		return err
	}
	_, err = dst.Write([]byte(b.String()))
	return err
}
