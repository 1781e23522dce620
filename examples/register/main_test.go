package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
	"github.com/esxi-hva/esxi-hva/registry"
	"github.com/esxi-hva/esxi-hva/registry/registrytest"
)

// TestDemoEmbedded runs the program with no arguments (the seed's four
// steps on the embedded registry) and checks what it registered.
func TestDemoEmbedded(t *testing.T) {
	var out bytes.Buffer
	fake := registrytest.New(t)
	a := &app{out: &out, fake: fake, specDir: t.TempDir()}
	require.NoError(t, a.run(t.Context(), nil), out.String())

	hosts := fake.HostNodes()
	require.Len(t, hosts, 1)
	h := hosts[0]
	assert.Equal(t, "hn-esxi1", h.ID)
	assert.Equal(t, "hva.esxi1", h.NodeID)
	assert.Equal(t, "esxi", h.Hypervisor)
	assert.Equal(t, "esxi host 1", h.DisplayName)
	assert.Equal(t, []int{100, 400000}, []int{h.OfferingCPUCores, h.OfferingMemorySize})
	assert.Equal(t, "online", h.Status)

	images := fake.Images()
	require.Len(t, images, 1)
	assert.True(t, images[0].IsPublic)
	assert.Equal(t, "esxi test image", images[0].Description)
	assert.Equal(t, "a-shpoolxx", images[0].AccountID)
	objs := fake.BackupObjects()
	require.Len(t, objs, 1)
	assert.Equal(t, images[0].BackupObjectID, objs[0].ID)
	assert.Equal(t, "ubuntu-lucid-esxi-64-flat.vmdk", objs[0].ObjectKey)
	assert.Equal(t, int64(2<<20), objs[0].Size)
	assert.Len(t, fake.BackupStorages(), 1)

	specs, err := registry.ReadSpecs(filepath.Join(a.specDir, "instance_spec.yml"))
	require.NoError(t, err)
	require.Len(t, specs, 1)
	assert.Equal(t, registry.NamedSpec{Name: "esxi.small", InstanceSpec: registry.InstanceSpec{CPUCores: 1, MemorySize: 256,
		Hypervisor: "esxi", QuotaWeight: 1.0}}, specs[0])

	s := out.String()
	assert.Contains(t, s, "hn-esxi1        hva.esxi1            online\n")
	assert.Contains(t, s, "100% 2048/2048 KiB\n")
	assert.Contains(t, s, images[0].ID+" registered")
}

func TestRunDefaultsToEmbedded(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), nil, &out))
	assert.Contains(t, out.String(), "using an embedded in-memory registry")
	assert.Contains(t, out.String(), "esxi.small written to")

	out.Reset()
	err := run(t.Context(), []string{"host", "add", "hva.esxi1", "-hypervisor", "esxi"}, &out)
	require.ErrorIs(t, err, registry.ErrNodeNotSeen, "a fresh embedded registry has never seen the node")
	assert.Contains(t, err.Error(), "-force")
}

func TestCommandsAgainstAPI(t *testing.T) {
	fake := registrytest.New(t)
	var out bytes.Buffer
	ctx := t.Context()
	require.NoError(t, run(ctx, []string{"-api", fake.URL, "host", "add", "hva.esxi2", "--uuid", "hn-esxi2", "--hypervisor", "esxi",
		"--cpu-cores", "8", "--memory-size", "32768", "--force"}, &out))
	assert.Equal(t, "hn-esxi2\n", out.String())
	require.NoError(t, run(ctx, []string{"-api", fake.URL, "host", "add", "hva.esxi2", "-uuid", "hn-esxi2", "-hypervisor", "esxi",
		"-cpu-cores", "8", "-memory-size", "32768", "-force"}, &out))
	assert.Contains(t, out.String(), "hn-esxi2 (already registered)")
	require.Len(t, fake.HostNodes(), 1)
	assert.Equal(t, 32768, fake.HostNodes()[0].OfferingMemorySize)

	out.Reset()
	fake.SetNodeState("hva.esxi2", "timeout")
	require.NoError(t, run(ctx, []string{"-api", fake.URL, "host", "show"}, &out))
	assert.Equal(t, "hn-esxi2        hva.esxi2            timeout\n", out.String())

	err := run(ctx, []string{"-api", fake.URL, "image", "add", "http://h/a-flat.vmdk", "-md5sum", strings.Repeat("a", 32)}, &out)
	require.ErrorIs(t, err, registry.ErrUnsupported)
	assert.Contains(t, err.Error(), "-db")
	assert.Empty(t, fake.Images())
}

func TestHelpHidesDSN(t *testing.T) {
	t.Setenv("WAKAME_DB_DSN", "root:hunter2@tcp(127.0.0.1:1)/x")
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"-h"}, &out), "-h is not an error: register exits 0")
	assert.Contains(t, out.String(), "-db")
	assert.NotContains(t, out.String(), "hunter2")
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"host", "add", "esxi1", "-force"}, `"hva."`},
		{[]string{"host", "add", "hva.esxi1", "-hypervisor", "vmware", "-force"}, "hypervisor"},
		{[]string{"host", "add"}, "NODE_ID"},
		{[]string{"image", "add", "http://h/a.vmdk", "-md5sum", strings.Repeat("a", 32)}, `"-flat"`},
		{[]string{"image", "add", "http://h/a-flat.vmdk", "-md5sum", "xyz"}, "32 hex digits"},
		{[]string{"spec", "add", "x", "-hypervisor", "hyperv", "-file", filepath.Join(t.TempDir(), "s.yml")}, "hypervisor"},
		{[]string{"host"}, "want COMMAND SUBCOMMAND"},
		{[]string{"vm", "add"}, "unknown command"},
		{[]string{"-api", "ftp://x", "host", "show"}, "http(s)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			err := run(t.Context(), tt.args, &out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

// TestCommandsAgainstDB registers through -db into a MariaDB database of
// its own holding dcmgr's tables (the registry package's schema fixture).
func TestCommandsAgainstDB(t *testing.T) {
	dsn, db := testDB(t)
	ctx := t.Context()
	images, md5sum := imageServer()
	defer images.Close()
	var out bytes.Buffer

	err := run(ctx, []string{"-db", dsn, "host", "add", "hva.esxi1", "-uuid", "hn-esxi1", "-hypervisor", "esxi"}, &out)
	require.ErrorIs(t, err, registry.ErrNodeNotSeen)
	_, err = db.Exec(`INSERT INTO node_states (node_id, boot_token, state, created_at, updated_at, last_ping_at)
 VALUES ('hva.esxi1', 't', 'online', UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP())`)
	require.NoError(t, err)
	require.NoError(t, run(ctx, []string{"-db", dsn, "host", "add", "hva.esxi1", "-uuid", "hn-esxi1", "-hypervisor", "esxi"}, &out))
	require.NoError(t, run(ctx, []string{"-db", dsn, "host", "show"}, &out))
	assert.Contains(t, out.String(), "hn-esxi1        hva.esxi1            online\n")

	t.Setenv("WAKAME_DB_DSN", dsn)
	require.NoError(t, run(ctx, []string{"image", "add", images.URL + "/ubuntu-lucid-esxi-64-flat.vmdk", "-md5sum", md5sum, "-is-public"}, &out))
	var key, checksum string
	var public bool
	require.NoError(t, db.QueryRow(`SELECT o.object_key, o.checksum, i.is_public FROM images i
 JOIN backup_objects o ON i.backup_object_id = CONCAT('bo-', o.uuid)`).Scan(&key, &checksum, &public))
	assert.Equal(t, "ubuntu-lucid-esxi-64-flat.vmdk", key)
	assert.Equal(t, md5sum, checksum)
	assert.True(t, public)
}

func testDB(t *testing.T) (string, *sql.DB) {
	t.Helper()
	return testDBOf(t, "wakame-head.sql")
}

// testDBOf makes a scratch database from one of the registry's schema
// dumps (made by Wakame's own migrations) and returns its DSN.
func testDBOf(t *testing.T, dump string) (string, *sql.DB) {
	t.Helper()
	cfg, err := mysql.ParseDSN(testenv.MySQLDSN(t))
	require.NoError(t, err)
	admin := *cfg
	admin.DBName = ""
	adminDB, err := sql.Open("mysql", admin.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = adminDB.Close() })
	name := "regtest_" + strings.ToLower(rand.Text()[:12])
	_, err = adminDB.ExecContext(context.Background(), "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		if _, err := adminDB.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	schema, err := os.ReadFile(filepath.Join("../../registry/testdata", dump))
	require.NoError(t, err)
	for _, stmt := range strings.Split(string(schema), ";") {
		var lines []string
		for _, l := range strings.Split(stmt, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		if body := strings.TrimSpace(strings.Join(lines, "\n")); body != "" {
			_, err := db.Exec(body)
			require.NoError(t, err)
		}
	}
	return cfg.FormatDSN(), db
}

// -h exits 0 (run returns nil) and lists the subcommands; so does a
// command's -h.
func TestHelpListsSubcommands(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-h"}, &out))
	for _, c := range []string{"host add", "host show", "image add", "spec add", "-api", "-db"} {
		assert.Contains(t, out.String(), c)
	}
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"host", "add", "-h"}, &out))
	assert.Contains(t, out.String(), "-hypervisor")
	assert.Contains(t, out.String(), `(default "esxi")`, "register registers ESXi hosts")
}

// host add without -hypervisor registers an ESXi host (it was Wakame's kvm).
func TestHostAddDefaultsToESXi(t *testing.T) {
	fake := registrytest.New(t)
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"-api", fake.URL, "host", "add", "hva.esxi3", "-uuid", "hn-esxi3", "-force"}, &out))
	require.Len(t, fake.HostNodes(), 1)
	assert.Equal(t, "esxi", fake.HostNodes()[0].Hypervisor)
}

// spec add with -db writes where the database's Wakame reads specs: the
// instance_specs table on 12.03, instance_spec.yml on later schemas.
func TestSpecAddFollowsTheDatabase(t *testing.T) {
	ctx := context.Background()
	t.Run("12.03", func(t *testing.T) {
		dsn, db := testDBOf(t, "wakame-1203.sql")
		file := filepath.Join(t.TempDir(), "instance_spec.yml")
		var out bytes.Buffer
		args := []string{"-db", dsn, "spec", "add", "esxi.small", "-uuid", "is-esxismall", "-cpu-cores", "2", "-memory-size", "512", "-file", file}
		require.NoError(t, run(ctx, args, &out))
		assert.Equal(t, "is-esxismall\n", out.String())
		var hv string
		var cores, mem int
		require.NoError(t, db.QueryRow(`SELECT hypervisor, cpu_cores, memory_size FROM instance_specs WHERE uuid = 'esxismall'`).Scan(&hv, &cores, &mem))
		assert.Equal(t, []any{"esxi", 2, 512}, []any{hv, cores, mem})
		assert.NoFileExists(t, file, "12.03 reads no instance_spec.yml")
		out.Reset()
		require.NoError(t, run(ctx, args, &out))
		assert.Equal(t, "is-esxismall already registered\n", out.String())
	})
	t.Run("head", func(t *testing.T) {
		dsn, _ := testDBOf(t, "wakame-head.sql")
		file := filepath.Join(t.TempDir(), "instance_spec.yml")
		var out bytes.Buffer
		require.NoError(t, run(ctx, []string{"-db", dsn, "spec", "add", "esxi.small", "-file", file}, &out))
		assert.Equal(t, "esxi.small written to "+file+"\n", out.String())
		specs, err := registry.ReadSpecs(file)
		require.NoError(t, err)
		require.Len(t, specs, 1)
		assert.Equal(t, "esxi", specs[0].Hypervisor)
	})
}
