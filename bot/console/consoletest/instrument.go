package consoletest

import "github.com/klabot/klabot/scoring"

// Instrument is the transcripts' instrument: one question of every type, Dinkes
// questions in two clusters and one Disdik question (12.6).
func Instrument() *scoring.Instrument {
	dinkes := []string{"DINKES"}
	return &scoring.Instrument{Year: 2026, Name: "Instrumen Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Kebijakan KLA", MaxPoints: 500, Questions: []scoring.Question{
				{Code: "1.1", Text: "Apakah ada SK Gugus Tugas KLA?", Help: "SK Bupati/Wali Kota yang berlaku tahun ini.",
					Type: scoring.YesNo, Weight: 1, EvidenceRequired: true, OPDCodes: dinkes},
				{Code: "1.2", Text: "Apakah Puskesmas sudah ramah anak?", Type: scoring.YesPartialNo, Weight: 1, OPDCodes: dinkes},
				{Code: "1.3", Text: "Bentuk regulasi KLA?", Type: scoring.Choice, Weight: 1, EvidenceRequired: true, OPDCodes: dinkes,
					Options: []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "Perbup, SK atau SE", Fraction: 0.5}, {Label: "Dalam proses", Fraction: 0.25}}},
			}},
		}},
		{Code: "III", Name: "Klaster III — Kesehatan Dasar dan Kesejahteraan", Indicators: []scoring.Indicator{
			{Code: "12", Name: "Status gizi balita", MaxPoints: 500, Questions: []scoring.Question{
				{Code: "12.1", Text: "Berapa kali rapat koordinasi tahun ini?", Type: scoring.Number, Weight: 1, OPDCodes: dinkes,
					Bands: []scoring.Band{{Min: 0, Max: 0, Fraction: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}},
				{Code: "12.2", Text: "Persentase balita ditimbang?", Type: scoring.Percent, Target: 90, Weight: 1, OPDCodes: dinkes},
				{Code: "12.3", Text: "Tanggal SK tim percepatan stunting?", Type: scoring.Date, Weight: 1, OPDCodes: dinkes},
				{Code: "12.4", Text: "Sebutkan program gizi unggulan.", Type: scoring.Text, Weight: 1, OPDCodes: dinkes},
				{Code: "12.5", Text: "Unggah foto pojok ASI.", Type: scoring.File, Weight: 1, OPDCodes: dinkes},
				{Code: "12.6", Text: "Apakah ada PAUD-HI?", Type: scoring.YesNo, Weight: 1, OPDCodes: []string{"DISDIK"}},
			}},
		}},
	}}
}
