package image_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// benchServerEnv, set to an image size in bytes, makes the test binary
// serve a simulated host and an image of that size instead of testing.
const benchServerEnv = "ESXI_HVA_BENCH_SERVER_SIZE"

// benchServer is what the server process tells the benchmark.
type benchServer struct {
	Host       string `json:"host"`
	Thumbprint string `json:"thumbprint"`
	FlatURL    string `json:"flat_url"`
	MD5        string `json:"md5"`
}

// runBenchServer starts vcsim (esxitest) and a file server of a generated
// pair, prints where they are as one JSON line and serves until its
// standard input closes.
func runBenchServer() int {
	size, err := strconv.ParseInt(os.Getenv(benchServerEnv), 10, 64)
	if err != nil || size <= 0 {
		fmt.Fprintln(os.Stderr, "bench server: bad size:", err)
		return 2
	}
	dir, err := os.MkdirTemp("", "esxi-hva-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "disk-flat.vmdk"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 1
	}
	h := md5.New()
	_, err = io.CopyBuffer(io.MultiWriter(f, h), imagetest.NewContent(42, size).Reader(), make([]byte, 1<<20))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "disk.vmdk"), imagetest.Descriptor("disk-flat.vmdk", size), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 1
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	env, err := esxitest.Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 1
	}
	defer env.Close()
	if err := json.NewEncoder(os.Stdout).Encode(benchServer{
		Host: env.Config.Host, Thumbprint: env.Config.Thumbprint,
		FlatURL: srv.URL + "/disk-flat.vmdk", MD5: hex.EncodeToString(h.Sum(nil)),
	}); err != nil {
		return 1
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// startBenchServer re-executes the test binary as the server process and
// returns what it serves; the process ends with b.
func startBenchServer(b *testing.B, size int64) benchServer {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", benchServerEnv, size))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		b.Fatalf("bench server: %v", err)
	}
	var s benchServer
	if err := json.Unmarshal(line, &s); err != nil {
		b.Fatalf("bench server said %q: %v", line, err)
	}
	return s
}

// BenchmarkDeployColdRemote is DeployCold with the simulated host and the
// image server in another process: cpu-ns/B is then the agent's own CPU
// per byte of a verified cold deploy (the fetch, md5, pipeline and the
// TLS upload), without theirs. Compare it with MD5Baseline's cpu-ns/B.
func BenchmarkDeployColdRemote(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			s := startBenchServer(b, size)
			ctx := context.Background()
			cl, err := esxi.Connect(ctx, esxi.Config{
				Host: s.Host, Datacenter: esxitest.Datacenter, Datastore: esxitest.Datastore, PortGroup: esxitest.PortGroup,
				Username: esxitest.Username, Password: esxitest.Password, Thumbprint: s.Thumbprint,
			})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = cl.Close(context.Background()) })
			cache := image.NewCache(cl, image.CacheOptions{Logger: slog.New(slog.DiscardHandler)})
			src := image.Source{URI: s.FlatURL, MD5: s.MD5}
			ensureEach(b, cl, cache, src, size)
		})
	}
}
