package hvametrics_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvametrics"
)

// jobs is a stand-in for *hva.Handler.
type jobs struct{}

func (jobs) Dispatch(context.Context, string, string, []any) error { return nil }
func (jobs) Concurrency() int                                      { return 4 }

// An agent wraps its handler, gives the cache m.CacheObserver() and the
// handler m.TransferProgress, calls m.Watch(node, hv), and serves
// m.Handler(); here, one job counted and scraped.
func Example() {
	m := hvametrics.New()
	d := m.Dispatcher(jobs{}) // what node.ServeHVA gets instead of the handler
	_ = d.Dispatch(context.Background(), hva.EndpointHVA, "reboot", []any{"i-abc123"})

	web := httptest.NewServer(m.Handler())
	defer web.Close()
	resp, err := http.Get(web.URL + "/metrics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "esxi_hva_jobs_total") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// esxi_hva_jobs_total{endpoint="hva-handle",job="reboot",result="success"} 1
}
