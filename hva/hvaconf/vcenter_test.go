package hvaconf

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
)

func TestVCenterPlacementKeys(t *testing.T) {
	f, err := Parse("hva.conf", strings.NewReader(`config.esxi_ipaddress = "vcenter.example.org"
config.esxi_datacenter = "DC1"
config.esxi_datastore = "shared-ds"
config.esxi_password = "pw"
config.esxi_host_system = "esxi2.example.org"
config.esxi_resource_pool = "/DC1/host/Cluster1/Resources/wakame"
config.esxi_vm_folder = "/DC1/vm/wakame"
`))
	require.NoError(t, err)
	c, warnings, err := f.Config()
	require.NoError(t, err)
	assert.Empty(t, warnings, "the keys are known")
	e := c.ESXi()
	assert.Equal(t, esxi.Config{
		Host: "vcenter.example.org", Datacenter: "DC1", Datastore: "shared-ds", PortGroup: DefaultESXiPortGroup,
		HostSystem: "esxi2.example.org", ResourcePool: "/DC1/host/Cluster1/Resources/wakame", VMFolder: "/DC1/vm/wakame",
		Username: DefaultESXiUsername, Password: "pw", StallTimeout: c.TransferStallTimeout,
	}, e)

	// A bare host's file names none of them, and they stay empty.
	d := DefaultConfig().ESXi()
	assert.Empty(t, d.HostSystem+d.ResourcePool+d.VMFolder)
}
