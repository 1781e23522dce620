package registry

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSQLSchemaFromSchemaInfo(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		db := newTestDB(t, sch)
		sc, err := NewSQL(db).Schema(context.Background())
		require.NoError(t, err)
		assert.Equal(t, sch.version, sc.Version)
		assert.Equal(t, sch.version == 2, sc.instanceSpecs, "only 12.03 has instance_specs")
		assert.Equal(t, sch.version >= 16, sc.hostOffering)
		assert.Equal(t, sch.version >= 20, sc.imageDisks)
		assert.Contains(t, sc.String(), "schema_info version")
	})
	assert.Equal(t, []int{2, 23}, KnownSchemaVersions())
}

// TestSQLUnknownSchemaRefused: every call that writes or reads dcmgr's
// tables refuses a database whose schema it does not know, naming the
// version, before it writes or fetches anything.
func TestSQLUnknownSchemaRefused(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		mutate  string
		version int64
		msg     string
	}{
		{"unknown version", "UPDATE schema_info SET version = 7", 7, "is at schema_info version 7, which the registry does not know"},
		{"no schema_info", "DROP TABLE schema_info", -1, "has no schema_info table"},
		{"empty schema_info", "DELETE FROM schema_info", -1, "empty schema_info"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := newTestDB(t, testSchemas[0])
			_, err := db.Exec(tc.mutate)
			require.NoError(t, err)
			files := pairFiles("", "disk", 100)
			srv := newImageServer(t, files)
			s := NewSQL(db, WithSpecFile(t.TempDir()+"/instance_spec.yml"))

			check := func(t *testing.T, err error) {
				t.Helper()
				require.ErrorIs(t, err, ErrUnknownSchema)
				var se *SchemaError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.version, se.Version)
				assert.Contains(t, err.Error(), tc.msg)
				assert.Contains(t, err.Error(), "knows schema_info versions 2 (Wakame 12.03) and 23 (wakame-vdc HEAD)")
			}
			_, err = s.RegisterHost(ctx, HostSpec{NodeID: "hva.esxi1", Hypervisor: "esxi", Force: true})
			check(t, err)
			_, err = s.RegisterImage(ctx, ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: md5hex(files["disk-flat.vmdk"])})
			check(t, err)
			assert.Equal(t, int64(0), srv.heads.Load()+srv.gets.Load(), "refused before fetching anything")
			_, err = s.Hosts(ctx)
			check(t, err)
			_, err = s.RegisterSpec(ctx, SpecSpec{Name: "esxi.small", InstanceSpec: InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}})
			check(t, err)
			assert.Equal(t, 0, count(t, db, "host_nodes")+count(t, db, "images")+count(t, db, "backup_objects")+count(t, db, "backup_storages"))
		})
	}
}

func TestSQLRegisterHost1203RefusesDiskSpace(t *testing.T) {
	db := newTestDB(t, testSchemas[1])
	_, err := NewSQL(db).RegisterHost(context.Background(), HostSpec{NodeID: "hva.esxi1", Hypervisor: "esxi", DiskSpaceMB: 100, Force: true})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "disk space", ve.Field)
	assert.Contains(t, err.Error(), "Wakame 12.03 (schema_info version 2)")
	assert.Contains(t, err.Error(), "offering_disk_space_mb")
	assert.Equal(t, 0, count(t, db, "host_nodes"))
}
