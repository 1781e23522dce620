package hvaconf_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/esxi-hva/esxi-hva/hva/hvaconf"
	"github.com/esxi-hva/esxi-hva/hva/vdcdefaults"
)

func Example() {
	const hvaConf = `
# ESXi
config.esxi_ipaddress  = "192.168.2.25"
config.esxi_username   = "root"
config.esxi_password   = "ESXiPassword"
config.edge_networking = 'off'
config.concurrency     = 8

dc_network('public') {
  bridge 'br0'
}
`
	f, err := hvaconf.Parse("hva.conf", strings.NewReader(hvaConf))
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, warnings, err := f.Config()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.ESXiHost, cfg.ESXiDatacenter, cfg.ESXiDatastore, cfg.Concurrency)
	fmt.Printf("password: %v\n", cfg.ESXiPassword == "ESXiPassword")
	fmt.Println(strings.Contains(fmt.Sprintf("%+v", cfg), "ESXiPassword:***"))
	for _, w := range warnings {
		fmt.Println(w)
	}
	// Output:
	// 192.168.2.25 ha-datacenter datastore1 8
	// password: true
	// true
	// hva.conf:9: skipped block dc_network('public') { ... } (lines 9-11): not used by esxi-hva
}

func ExampleParse_syntaxError() {
	_, err := hvaconf.Parse("hva.conf", strings.NewReader("config.esxi_ipaddress = \"10.0.0.1\"\nconfig.esxi_password =\n"))
	var se *hvaconf.SyntaxError
	fmt.Println(errors.As(err, &se), se.Line)
	fmt.Println(err)
	// Output:
	// true 2
	// hva.conf:2: expected value after '=' for config.esxi_password
}

func ExampleFile_Config_typeError() {
	f, _ := hvaconf.Parse("hva.conf", strings.NewReader(`config.esxi_insecure = "yes"`))
	_, _, err := f.Config()
	fmt.Println(errors.Is(err, hvaconf.ErrInvalidValue))
	fmt.Println(err)
	// Output:
	// true
	// hva.conf:1: esxi_insecure: want true/false, got "yes"
}

func ExampleParseSize() {
	n, _ := hvaconf.ParseSize("10G")
	fmt.Println(n)
	// Output:
	// 10737418240
}

// An agent's start-up: the defaults file names VDC_ROOT, which places the
// hva.conf of a source checkout; missing files are the caller's decision.
func ExampleFindConfig() {
	d, err := vdcdefaults.Load(vdcdefaults.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Println("warning:", err) // bad lines; d still holds the good ones
	}
	path, err := hvaconf.FindConfig(hvaconf.UsualPaths("", d.VDCRoot))
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, warnings, err := hvaconf.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}
	fmt.Println("ESXi host", cfg.ESXiHost, "AMQP", d.AMQPURL(), "node", d.HVAID)
}
