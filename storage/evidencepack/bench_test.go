package evidencepack_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/evidencepack"
)

// bigRegion builds an instrument of 700 questions and a region whose answers carry
// files files of size bytes in all, spread evenly, stored as real files in a blob directory.
func bigRegion(b *testing.B, files, size int) (evidencepack.Input, dirBlobs) {
	b.Helper()
	blobs := dirBlobs{b.TempDir()}
	in := evidencepack.Input{Region: region, Answers: map[string]review.Item{},
		Points: map[string]evidencepack.Points{}, GeneratedAt: time.Now()}
	inst := &scoring.Instrument{Year: 2026}
	const questions = 700
	n := 0
	for c := range 6 {
		cl := scoring.Cluster{Code: scoring.ClusterCodes[c], Name: scoring.ClusterNames[scoring.ClusterCodes[c]]}
		for i := range 4 {
			ind := scoring.Indicator{Code: strconv.Itoa(c*4 + i + 1), Name: "Indikator uji", MaxPoints: 1000.0 / 24}
			for range questions / 24 {
				n++
				code := fmt.Sprintf("%d.%d", c*4+i+1, n)
				ind.Questions = append(ind.Questions, scoring.Question{Code: code, Text: "Pertanyaan uji nomor " + code, Type: scoring.YesNo, Weight: 1})
				in.Answers[code] = review.Item{Value: scoring.Value{Text: "ya"}, State: conversations.ReviewWaiting}
			}
			cl.Indicators = append(cl.Indicators, ind)
		}
		inst.Clusters = append(inst.Clusters, cl)
	}
	in.Instrument = inst
	codes := make([]string, 0, len(in.Answers))
	for code := range in.Answers {
		codes = append(codes, code)
	}
	buf := make([]byte, size)
	for i := range files {
		rand.Read(buf)
		code := codes[i%len(codes)]
		a := in.Answers[code]
		a.Evidence = append(a.Evidence, review.File{BlobKey: blobs.put(b, buf), MIME: "image/jpeg",
			Name: "foto kegiatan.jpg", Size: int64(len(buf))})
		in.Answers[code] = a
	}
	return in, blobs
}

// peakHeap samples the heap in use while f runs and returns the highest value seen.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak
}

// peakRSS is the process's peak resident set (VmHWM), in bytes; 0 where /proc is missing.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkWritePack measures writing packs to a file on disk and reports the peak heap
// in use during the write. File contents pass through one 64 KB buffer, so the peak does
// not depend on file sizes (500 files of 4 KB vs 256 KB); it grows only with per-file
// metadata (the rows, the ZIP's central directory, the file names in the workbook).
func BenchmarkWritePack(b *testing.B) {
	for _, tc := range []struct{ files, size int }{{500, 4 << 10}, {5000, 4 << 10}, {500, 256 << 10}} {
		b.Run(fmt.Sprintf("%dfiles-%dKB", tc.files, tc.size>>10), func(b *testing.B) {
			in, blobs := bigRegion(b, tc.files, tc.size)
			out, err := os.Create(b.TempDir() + "/pack.zip")
			if err != nil {
				b.Fatal(err)
			}
			defer out.Close()
			var peak uint64
			b.ResetTimer()
			for b.Loop() {
				if _, err := out.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, peakHeap(func() {
					if _, err := evidencepack.Write(context.Background(), out, in, blobs); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(peakRSS()/(1<<20), "peak-rss-MB")
		})
	}
}
