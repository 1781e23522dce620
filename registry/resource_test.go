package registry

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFormValues pins what each Fields struct sends: empty strings and nil
// pointers never, a pointer's value always (also "" and 0), the keys the
// tags name.
func TestFormValues(t *testing.T) {
	zero, no, empty, size := 0, false, "", int64(1<<40)
	assert.Equal(t, url.Values{
		"uuid": {"hn-x"}, "node_id": {"hva.x"}, "offering_cpu_cores": {"0"}, "scheduling_enabled": {"false"},
	}, formValues(HostNodeFields{UUID: "hn-x", NodeID: "hva.x", OfferingCPUCores: &zero, SchedulingEnabled: &no}))
	assert.Equal(t, url.Values{"storage_type": {"webdav"}, "base_uri": {"http://h/"}},
		formValues(BackupStorageFields{StorageType: "webdav", BaseURI: "http://h/"}))
	assert.Equal(t, url.Values{"size": {"1099511627776"}, "checksum": {"c"}, "state": {"available"}},
		formValues(BackupObjectFields{Size: &size, Checksum: "c", State: "available"}))
	assert.Equal(t, url.Values{"description": {""}}, formValues(ImageFields{Description: &empty}))
	assert.Empty(t, formValues(ImageFields{}))
	assert.Empty(t, formValues(struct{ Untagged string }{"x"}))
}
