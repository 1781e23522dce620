package vdcdefaults_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/esxi-hva/esxi-hva/hva/vdcdefaults"
)

func ExampleParse() {
	d, err := vdcdefaults.Parse("/etc/default/wakame-vdc", strings.NewReader(`
VDC_ROOT=/home/wakame/wakame-vdc
AMQP_SERVER=192.168.2.98
AMQP_PORT=5672
HVA_ID=esxi1
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.HVAID, d.VDCRoot)
	fmt.Println(d.AMQPURL())
	// Output:
	// esxi1 /home/wakame/wakame-vdc
	// amqp://192.168.2.98:5672/
}

func ExampleLoad_missing() {
	_, err := vdcdefaults.Load("/nonexistent/wakame-vdc")
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// true
}
