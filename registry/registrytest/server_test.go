package registrytest_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/esxi-hva/esxi-hva/registry"
	"github.com/esxi-hva/esxi-hva/registry/registrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func do(t *testing.T, method, u string, form url.Values, header map[string]string) (int, string, []byte) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// TestWireShapes checks the raw JSON the fake answers, independent of the
// client's decoding.
func TestWireShapes(t *testing.T) {
	s := registrytest.New(t)
	assert.True(t, strings.HasSuffix(s.URL, "/api/12.03/"))

	status, _, b := do(t, "POST", s.URL+"host_nodes", url.Values{"node_id": {"hva.esxi1"}, "uuid": {"hn-esxi1"},
		"arch": {"x86_64"}, "hypervisor": {"esxi"}, "offering_cpu_cores": {"100"}, "offering_memory_size": {"400000"}}, nil)
	require.Equal(t, 200, status, string(b))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, "hn-esxi1", doc["id"])
	assert.Equal(t, "hn-esxi1", doc["uuid"])
	assert.Equal(t, "hva.esxi1", doc["node_id"])
	assert.Equal(t, "offline", doc["status"])
	assert.EqualValues(t, 100, doc["offering_cpu_cores"])

	status, _, b = do(t, "GET", s.URL+"host_nodes.json?limit=0", nil, nil)
	require.Equal(t, 200, status)
	var list []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &list), string(b))
	require.Len(t, list, 1, "a list is an array of one page")
	assert.JSONEq(t, "1", string(list[0]["total"]))
	assert.JSONEq(t, "0", string(list[0]["start"]))
	assert.JSONEq(t, "250", string(list[0]["limit"]))
	assert.Contains(t, string(list[0]["results"]), `"hn-esxi1"`)

	status, ctype, b := do(t, "GET", s.URL+"host_nodes/hn-nothere", nil, nil)
	assert.Equal(t, 404, status)
	assert.Equal(t, "application/json", ctype)
	assert.JSONEq(t, `{"error":"Dcmgr::Endpoints::UnknownUUIDResource","message":"hn-nothere","code":"100"}`, string(b))

	status, _, b = do(t, "GET", s.URL+"host_nodes?start=-1", nil, nil)
	assert.Equal(t, 400, status)
	assert.JSONEq(t, `{"error":"Dcmgr::Endpoints::InvalidParameter","message":"start","code":"143"}`, string(b))

	status, ctype, _ = do(t, "POST", s.URL+"host_nodes", url.Values{"node_id": {"hva.esxi9"}, "arch": {"x86_64"}, "hypervisor": {"esxi"}},
		map[string]string{registry.AccountHeader: "a-shpoolxx"})
	assert.Equal(t, 500, status, "dcmgr's POST /host_nodes account-header pitfall")
	assert.Equal(t, "text/html", ctype)

	status, _, _ = do(t, "POST", s.URL+"host_nodes", url.Values{"node_id": {"hva.x"}, "uuid": {"hn-esxi1"}, "arch": {"x86_64"}, "hypervisor": {"esxi"}}, nil)
	assert.Equal(t, 500, status, "duplicate UUID is a generic 500")

	status, _, b = do(t, "DELETE", s.URL+"host_nodes/hn-esxi1", nil, nil)
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"uuid":"hn-esxi1"}`, string(b))
}

func TestInspectAndSeed(t *testing.T) {
	s := registrytest.New(t)
	im := s.AddImage(registry.Image{AccountID: "a-shpoolxx", DisplayName: "lucid"})
	assert.Regexp(t, `^wmi-[a-z0-9]{8}$`, im.ID)
	assert.Equal(t, "available", im.State)
	require.Len(t, s.Images(), 1)
	assert.Equal(t, im, s.Images()[0])

	status, _, _ := do(t, "POST", s.URL+"backup_storages", url.Values{"storage_type": {"webdav"}, "base_uri": {"http://h/"}}, nil)
	require.Equal(t, 200, status)
	require.Len(t, s.BackupStorages(), 1)
	status, _, _ = do(t, "POST", s.URL+"backup_objects", url.Values{"backup_storage_id": {s.BackupStorages()[0].ID},
		"object_key": {"a-flat.vmdk"}, "size": {"10"}, "checksum": {"c"}}, map[string]string{registry.AccountHeader: "a-1"})
	require.Equal(t, 200, status)
	require.Len(t, s.BackupObjects(), 1)
	assert.Equal(t, "a-1", s.BackupObjects()[0].AccountID)
	assert.Equal(t, "initialized", s.BackupObjects()[0].State, "the column default")

	s.SetNodeState("hva.a", "online")
	status, _, _ = do(t, "POST", s.URL+"host_nodes", url.Values{"node_id": {"hva.a"}, "arch": {"x86"}, "hypervisor": {"kvm"}}, nil)
	require.Equal(t, 200, status)
	assert.Equal(t, "online", s.HostNodes()[0].Status)
	s.SetNodeState("hva.a", "")
	assert.Equal(t, "offline", s.HostNodes()[0].Status)

	s.Fail("GET", "images", 503, 1)
	status, _, _ = do(t, "GET", s.URL+"images", nil, nil)
	assert.Equal(t, 503, status)
	status, _, _ = do(t, "GET", s.URL+"images", nil, nil)
	assert.Equal(t, 200, status, "the failure is used up")
	reqs := s.Requests()
	assert.Equal(t, "images", reqs[len(reqs)-1].Path)
}

func TestRegisterImage(t *testing.T) {
	ctx := t.Context()
	flat := []byte(strings.Repeat("disk", 1000))
	files := map[string][]byte{"/img/lucid-flat.vmdk": flat, "/img/lucid.vmdk": []byte("descriptor")}
	img := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(b))
	}))
	defer img.Close()
	sum := md5.Sum(flat)
	spec := registry.ImageSpec{FlatURI: img.URL + "/img/lucid-flat.vmdk", MD5: hex.EncodeToString(sum[:]), Public: true, Verify: true}

	s := registrytest.New(t)
	reg, err := s.RegisterImage(ctx, spec)
	require.NoError(t, err)
	assert.True(t, reg.Created)
	assert.Equal(t, int64(len(flat)), reg.Size)
	require.Len(t, s.Images(), 1)
	assert.Equal(t, reg.BackupObjectID, s.Images()[0].BackupObjectID)
	assert.Equal(t, "lucid.vmdk", s.Images()[0].DisplayName)
	require.Len(t, s.BackupObjects(), 1)
	assert.Equal(t, "lucid-flat.vmdk", s.BackupObjects()[0].ObjectKey)
	assert.Equal(t, img.URL+"/img/", s.BackupStorages()[0].BaseURI)

	again, err := s.RegisterImage(ctx, spec)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Len(t, s.Images(), 1)

	bad := spec
	bad.Verify, bad.MD5 = false, strings.Repeat("0", 32)
	_, err = s.RegisterImage(ctx, bad)
	require.ErrorIs(t, err, registry.ErrConflict)

	delete(files, "/img/lucid.vmdk")
	other := spec
	other.FlatURI = img.URL + "/img/other-flat.vmdk"
	_, err = s.RegisterImage(ctx, other)
	require.ErrorIs(t, err, registry.ErrUnreachable)
	assert.Len(t, s.BackupStorages(), 1, "nothing stored for a refused image")
	assert.Len(t, s.BackupObjects(), 1)
}
