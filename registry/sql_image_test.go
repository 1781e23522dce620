package registry

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSQLRegisterImage(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		files := pairFiles("images/", "ubuntu-lucid-esxi-64", 10000)
		files["images/other-flat.vmdk"] = []byte("other flat")
		files["images/other.vmdk"] = []byte("other descriptor")
		srv := newImageServer(t, files)
		s := NewSQL(db)
		sum := md5hex(files["images/ubuntu-lucid-esxi-64-flat.vmdk"])
		spec := ImageSpec{
			FlatURI: srv.URL + "/images/ubuntu-lucid-esxi-64-flat.vmdk", MD5: strings.ToUpper(sum),
			AccountID: "a-shpoolxx", Public: true, Description: "esxi test image",
		}

		reg, err := s.RegisterImage(ctx, spec)
		require.NoError(t, err)
		assert.True(t, reg.Created)
		assert.True(t, reg.StorageCreated)
		assert.Equal(t, int64(10000), reg.Size)
		assert.Regexp(t, `^wmi-[a-z0-9]{8}$`, reg.ImageID)
		assert.Regexp(t, `^bo-[a-z0-9]{8}$`, reg.BackupObjectID)
		assert.Regexp(t, `^bkst-[a-z0-9]{8}$`, reg.BackupStorageID)
		assert.Equal(t, srv.URL+"/images/ubuntu-lucid-esxi-64.vmdk", reg.Pair.DescriptorURI)
		assert.Equal(t, int64(2), srv.heads.Load(), "HEAD on both files of the pair")
		assert.Equal(t, int64(0), srv.gets.Load(), "no download without Verify")

		var baseURI, stType string
		require.NoError(t, db.QueryRow("SELECT base_uri, storage_type FROM backup_storages").Scan(&baseURI, &stType))
		assert.Equal(t, srv.URL+"/images/", baseURI)
		assert.Equal(t, "webdav", stType)

		var key, checksum, account, state, container string
		var size, alloc int64
		require.NoError(t, db.QueryRow(`SELECT object_key, checksum, account_id, state, container_format, size, allocation_size
 FROM backup_objects WHERE uuid = ?`, strings.TrimPrefix(reg.BackupObjectID, "bo-")).
			Scan(&key, &checksum, &account, &state, &container, &size, &alloc))
		assert.Equal(t, "ubuntu-lucid-esxi-64-flat.vmdk", key)
		assert.Equal(t, sum, checksum, "stored lower case")
		assert.Equal(t, "a-shpoolxx", account)
		assert.Equal(t, "available", state)
		assert.Equal(t, "none", container)
		assert.Equal(t, []int64{10000, 10000}, []int64{size, alloc})

		var boID, display, desc, features string
		var bootDev int
		var public bool
		require.NoError(t, db.QueryRow(`SELECT backup_object_id, display_name, description, is_public, boot_dev_type,
 features FROM images WHERE uuid = ?`, strings.TrimPrefix(reg.ImageID, "wmi-")).
			Scan(&boID, &display, &desc, &public, &bootDev, &features))
		assert.Equal(t, reg.BackupObjectID, boID, "images.backup_object_id holds the canonical bo- id")
		assert.Equal(t, "ubuntu-lucid-esxi-64.vmdk", display, "display name defaults to the descriptor's name")
		assert.Equal(t, "esxi test image", desc)
		assert.True(t, public)
		assert.Equal(t, 2, bootDev, "BOOT_DEV_LOCAL")
		assert.Equal(t, "--- {}\n", features)
		if sch.version >= 15 {
			var volumes, vifs, osType, sourceVolume string
			require.NoError(t, db.QueryRow(`SELECT i.volumes, i.vifs, i.os_type, o.source_volume_id
 FROM images i JOIN backup_objects o ON i.backup_object_id = CONCAT('bo-', o.uuid) WHERE i.uuid = ?`,
				strings.TrimPrefix(reg.ImageID, "wmi-")).Scan(&volumes, &vifs, &osType, &sourceVolume))
			assert.Equal(t, []string{"--- []\n", "--- []\n", "linux", ""}, []string{volumes, vifs, osType, sourceVolume})
		}

		t.Run("same registration again is a no-op", func(t *testing.T) {
			again, err := s.RegisterImage(ctx, spec)
			require.NoError(t, err)
			assert.False(t, again.Created)
			assert.False(t, again.StorageCreated)
			assert.Equal(t, reg.ImageID, again.ImageID)
			assert.Equal(t, reg.BackupObjectID, again.BackupObjectID)
			assert.Equal(t, []int{1, 1, 1}, []int{count(t, db, "backup_storages"), count(t, db, "backup_objects"), count(t, db, "images")})
		})
		t.Run("another image of the same directory reuses the storage", func(t *testing.T) {
			other, err := s.RegisterImage(ctx, ImageSpec{FlatURI: srv.URL + "/images/other-flat.vmdk",
				MD5: md5hex(files["images/other-flat.vmdk"]), DisplayName: "other", UUID: "wmi-other"})
			require.NoError(t, err)
			assert.True(t, other.Created)
			assert.False(t, other.StorageCreated)
			assert.Equal(t, reg.BackupStorageID, other.BackupStorageID)
			assert.Equal(t, "wmi-other", other.ImageID)
			assert.Equal(t, 1, count(t, db, "backup_storages"))
		})
		t.Run("a different md5 for a registered file is a conflict", func(t *testing.T) {
			bad := spec
			bad.MD5 = strings.Repeat("0", 32)
			_, err := s.RegisterImage(ctx, bad)
			var ce *ConflictError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "backup object", ce.Kind)
			assert.Equal(t, "checksum", ce.Fields[0].Field)
		})
		t.Run("different image fields are a conflict naming them", func(t *testing.T) {
			bad := spec
			bad.Public, bad.Description = false, "changed"
			_, err := s.RegisterImage(ctx, bad)
			var ce *ConflictError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, reg.ImageID, ce.ID)
			assert.Len(t, ce.Fields, 2)
			assert.Contains(t, err.Error(), "public")
			assert.Contains(t, err.Error(), "description")
		})
		t.Run("a fixed uuid already taken is a conflict", func(t *testing.T) {
			files["images/third-flat.vmdk"] = []byte("3")
			files["images/third.vmdk"] = []byte("3d")
			_, err := s.RegisterImage(ctx, ImageSpec{FlatURI: srv.URL + "/images/third-flat.vmdk", MD5: md5hex([]byte("3")), UUID: "other"})
			require.ErrorIs(t, err, ErrConflict)
			assert.Equal(t, 2, count(t, db, "backup_objects"), "the backup object of the refused image was rolled back")
		})
	})
}

func TestSQLRegisterImageVerify(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		files := pairFiles("", "disk", 1<<20)
		srv := newImageServer(t, files)
		s := NewSQL(db)
		sum := md5hex(files["disk-flat.vmdk"])

		var calls atomic.Int64
		var last, total int64
		_, err := s.RegisterImage(ctx, ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: strings.Repeat("a", 32), Verify: true,
			Progress: func(done, tot int64) { calls.Add(1) }})
		require.ErrorIs(t, err, ErrChecksumMismatch)
		assert.Contains(t, err.Error(), sum, "the message shows the md5 found")
		assert.Positive(t, calls.Load())
		assert.Equal(t, 0, count(t, db, "backup_storages")+count(t, db, "backup_objects")+count(t, db, "images"))

		reg, err := s.RegisterImage(ctx, ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: sum, Verify: true,
			Progress: func(done, tot int64) { last, total = done, tot }})
		require.NoError(t, err)
		assert.True(t, reg.Created)
		assert.Equal(t, int64(1<<20), last)
		assert.Equal(t, int64(1<<20), total)
	})
}

func TestSQLRegisterImageRefusesBeforeWriting(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		files := pairFiles("", "disk", 100)
		delete(files, "disk.vmdk")
		files["lonely-flat.vmdk"] = []byte("x")
		srv := newImageServer(t, files)
		s := NewSQL(db)
		good := md5hex(files["disk-flat.vmdk"])
		tests := []struct {
			name   string
			spec   ImageSpec
			target error
			msg    string
		}{
			{"uri without -flat", ImageSpec{FlatURI: srv.URL + "/disk.vmdk", MD5: good}, ErrInvalid, `has no "-flat"`},
			{"bad md5", ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: "293bec"}, ErrInvalid, "32 hex digits"},
			{"md5 not hex", ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: strings.Repeat("g", 32)}, ErrInvalid, "32 hex digits"},
			{"ftp", ImageSpec{FlatURI: "ftp://h/disk-flat.vmdk", MD5: good}, ErrInvalid, "scheme"},
			{"user info", ImageSpec{FlatURI: "http://u:pw@h/disk-flat.vmdk", MD5: good}, ErrInvalid, "user info"},
			{"bad account", ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: good, AccountID: "shpoolxx"}, ErrInvalid, "account"},
			{"bad arch", ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: good, Arch: "sparc"}, ErrInvalid, "arch"},
			{"missing descriptor", ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: good}, ErrUnreachable, "descriptor"},
			{"missing flat", ImageSpec{FlatURI: srv.URL + "/nothing-flat.vmdk", MD5: good}, ErrUnreachable, "404"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.RegisterImage(ctx, tt.spec)
				require.ErrorIs(t, err, tt.target)
				assert.Contains(t, err.Error(), tt.msg)
				assert.NotContains(t, err.Error(), "pw@")
			})
		}
		assert.Equal(t, 0, count(t, db, "backup_storages")+count(t, db, "backup_objects")+count(t, db, "images"))
	})
}

// TestSQLRegisterImageRollsBack makes the last insert (images) fail after
// the storage and object rows were written: nothing may stay.
func TestSQLRegisterImageRollsBack(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		files := pairFiles("", "disk", 100)
		srv := newImageServer(t, files)
		s := NewSQL(db)
		_, err := db.Exec("ALTER TABLE images ADD COLUMN must_be_set int NOT NULL")
		require.NoError(t, err)
		_, err = s.RegisterImage(ctx, ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: md5hex(files["disk-flat.vmdk"])})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "insert image")
		assert.Equal(t, 0, count(t, db, "backup_storages"), "backup storage rolled back")
		assert.Equal(t, 0, count(t, db, "backup_objects"), "backup object rolled back")
		assert.Equal(t, 0, count(t, db, "images"))
	})
}

func TestSQLRegisterImageFileURI(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		dir := t.TempDir()
		files := pairFiles("", "disk", 300)
		for name, b := range files {
			require.NoError(t, writeFile(dir+"/"+name, b))
		}
		reg, err := NewSQL(db).RegisterImage(ctx, ImageSpec{FlatURI: "file://" + dir + "/disk-flat.vmdk", MD5: md5hex(files["disk-flat.vmdk"]), Verify: true})
		require.NoError(t, err)
		assert.Equal(t, int64(300), reg.Size)
		var stType string
		require.NoError(t, db.QueryRow("SELECT storage_type FROM backup_storages").Scan(&stType))
		assert.Equal(t, "local", stType)
	})
}
