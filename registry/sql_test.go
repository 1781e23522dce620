package registry

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func esxiHost() HostSpec {
	return HostSpec{NodeID: "hva.esxi1", UUID: "hn-esxi1", DisplayName: "esxi host 1",
		CPUCores: 100, MemoryMB: 400000, Hypervisor: "esxi"}
}

func TestSQLRegisterHost(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		s := NewSQL(db)

		_, err := s.RegisterHost(ctx, esxiHost())
		require.ErrorIs(t, err, ErrNodeNotSeen)
		assert.Equal(t, 0, count(t, db, "host_nodes"), "a refused host leaves no row")

		setNodeState(t, db, "hva.esxi1", "online")
		reg, err := s.RegisterHost(ctx, esxiHost())
		require.NoError(t, err)
		assert.True(t, reg.Created)
		assert.Equal(t, "hn-esxi1", reg.Host.ID)
		assert.Equal(t, "online", reg.Host.Status)
		assert.Equal(t, "esxi", reg.Host.Hypervisor)
		assert.Equal(t, "x86_64", reg.Host.Arch)
		assert.False(t, reg.Host.CreatedAt.IsZero())

		var uuid, display string
		var cpu, mem int
		require.NoError(t, db.QueryRow(`SELECT uuid, display_name, offering_cpu_cores, offering_memory_size
 FROM host_nodes WHERE node_id = 'hva.esxi1'`).Scan(&uuid, &display, &cpu, &mem))
		assert.Equal(t, "esxi1", uuid, "vdc-manage stores --uuid hn-esxi1 without its prefix")
		assert.Equal(t, "esxi host 1", display)
		assert.Equal(t, []int{100, 400000}, []int{cpu, mem})
		assert.Equal(t, 0, reg.Host.OfferingDiskSpaceMB)
		assert.True(t, reg.Host.SchedulingEnabled)
		if sch.version >= 16 {
			var disk int
			var sched bool
			require.NoError(t, db.QueryRow(`SELECT offering_disk_space_mb, scheduling_enabled
 FROM host_nodes WHERE node_id = 'hva.esxi1'`).Scan(&disk, &sched))
			assert.Equal(t, 0, disk)
			assert.True(t, sched)
		}

		t.Run("same fields again is a no-op", func(t *testing.T) {
			again, err := s.RegisterHost(ctx, esxiHost())
			require.NoError(t, err)
			assert.False(t, again.Created)
			assert.Equal(t, "hn-esxi1", again.Host.ID)
			assert.Equal(t, 1, count(t, db, "host_nodes"))
		})
		t.Run("without uuid the existing host is found by node id", func(t *testing.T) {
			spec := esxiHost()
			spec.UUID = ""
			again, err := s.RegisterHost(ctx, spec)
			require.NoError(t, err)
			assert.False(t, again.Created)
		})
		t.Run("different fields name them", func(t *testing.T) {
			spec := esxiHost()
			spec.CPUCores, spec.Hypervisor = 8, "kvm"
			_, err := s.RegisterHost(ctx, spec)
			var ce *ConflictError
			require.ErrorAs(t, err, &ce)
			require.ErrorIs(t, err, ErrConflict)
			assert.Equal(t, "hn-esxi1", ce.ID)
			fields := []string{}
			for _, f := range ce.Fields {
				fields = append(fields, f.Field)
			}
			assert.ElementsMatch(t, []string{"hypervisor", "cpu cores"}, fields)
			assert.Contains(t, err.Error(), `cpu cores (registered "100", requested "8")`)
		})
		t.Run("uuid of another node is a conflict", func(t *testing.T) {
			spec := esxiHost()
			spec.NodeID, spec.Force = "hva.esxi2", true
			_, err := s.RegisterHost(ctx, spec)
			require.ErrorIs(t, err, ErrConflict)
			assert.Contains(t, err.Error(), "duplicate UUID")
			assert.Equal(t, 1, count(t, db, "host_nodes"))
		})
		t.Run("force registers a node never seen, with a generated uuid", func(t *testing.T) {
			reg, err := s.RegisterHost(ctx, HostSpec{NodeID: "hva-esxi3", Hypervisor: "esxi", Force: true})
			require.NoError(t, err)
			assert.Regexp(t, `^hn-[a-z0-9]{8}$`, reg.Host.ID)
			assert.Equal(t, "offline", reg.Host.Status)
			assert.Equal(t, DefaultCPUCores, reg.Host.OfferingCPUCores)
			assert.Equal(t, DefaultMemoryMB, reg.Host.OfferingMemorySize)
		})
		t.Run("a node in any state counts as seen, like vdc-manage", func(t *testing.T) {
			setNodeState(t, db, "hva.esxi4", "timeout")
			_, err := s.RegisterHost(ctx, HostSpec{NodeID: "hva.esxi4", Hypervisor: "esxi"})
			require.NoError(t, err)
		})
	})
}

func TestSQLRegisterHostRefusesBadInput(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		s := NewSQL(db)
		tests := []struct {
			name  string
			spec  HostSpec
			field string
		}{
			{"node id without hva", HostSpec{NodeID: "esxi1", Hypervisor: "esxi", Force: true}, "node id"},
			{"node id hva only", HostSpec{NodeID: "hva.", Hypervisor: "esxi", Force: true}, "node id"},
			{"unknown hypervisor", HostSpec{NodeID: "hva.esxi1", Hypervisor: "vmware", Force: true}, "hypervisor"},
			{"unknown arch", HostSpec{NodeID: "hva.esxi1", Hypervisor: "esxi", Arch: "arm64", Force: true}, "arch"},
			{"negative cpu", HostSpec{NodeID: "hva.esxi1", Hypervisor: "esxi", CPUCores: -1, Force: true}, "cpu cores"},
			{"negative memory", HostSpec{NodeID: "hva.esxi1", Hypervisor: "esxi", MemoryMB: -5, Force: true}, "memory size"},
			{"negative disk", HostSpec{NodeID: "hva.esxi1", Hypervisor: "esxi", DiskSpaceMB: -5, Force: true}, "disk space"},
			{"wrong uuid prefix", HostSpec{NodeID: "hva.esxi1", Hypervisor: "esxi", UUID: "wmi-x", Force: true}, "hn uuid"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.RegisterHost(ctx, tt.spec)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				require.ErrorIs(t, err, ErrInvalid)
				assert.Equal(t, tt.field, ve.Field)
			})
		}
		assert.Equal(t, 0, count(t, db, "host_nodes"))
	})
}

func TestSQLHostsStatus(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		s := NewSQL(db)
		for _, n := range []string{"hva.a", "hva.b", "hva.c"} {
			_, err := s.RegisterHost(ctx, HostSpec{NodeID: n, Hypervisor: "esxi", Force: true})
			require.NoError(t, err)
		}
		setNodeState(t, db, "hva.a", "online")
		setNodeState(t, db, "hva.b", "timeout")
		hs, err := s.Hosts(ctx)
		require.NoError(t, err)
		got := map[string]string{}
		for _, h := range hs {
			got[h.NodeID] = h.Status
		}
		assert.Equal(t, map[string]string{"hva.a": "online", "hva.b": "timeout", "hva.c": "offline"}, got)

		state, err := s.NodeState(ctx, "hva.a")
		require.NoError(t, err)
		assert.Equal(t, "online", state)
		_, err = s.NodeState(ctx, "hva.c")
		assert.ErrorIs(t, err, ErrNotFound)
	})
}

func TestSQLUUIDCollision(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		s := NewSQL(db)
		_, err := s.RegisterHost(ctx, HostSpec{NodeID: "hva.a", UUID: "taken001", Hypervisor: "esxi", Force: true})
		require.NoError(t, err)

		var mu sync.Mutex
		seq := []string{"taken001", "taken001", "fresh001"}
		calls := 0
		s.newUUID = func() (string, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			u := seq[0]
			if len(seq) > 1 {
				seq = seq[1:]
			}
			return u, nil
		}
		reg, err := s.RegisterHost(ctx, HostSpec{NodeID: "hva.b", Hypervisor: "esxi", Force: true})
		require.NoError(t, err)
		assert.Equal(t, "hn-fresh001", reg.Host.ID)
		assert.Equal(t, 3, calls, "two collisions, then a fresh uuid")

		s.newUUID = func() (string, error) { return "taken001", nil }
		_, err = s.RegisterHost(ctx, HostSpec{NodeID: "hva.c", Hypervisor: "esxi", Force: true})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "all collided")
		assert.Equal(t, 2, count(t, db, "host_nodes"))

		s.newUUID = func() (string, error) { return "", errors.New("entropy gone") }
		_, err = s.RegisterHost(ctx, HostSpec{NodeID: "hva.d", Hypervisor: "esxi", Force: true})
		require.ErrorContains(t, err, "entropy gone")
	})
}

func TestRandomUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		u, err := randomUUID()
		require.NoError(t, err)
		require.Regexp(t, `^[a-z0-9]{8}$`, u)
		seen[u] = true
	}
	assert.Len(t, seen, 1000)
}

func TestOpenSQL(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		_, err := OpenSQL(ctx, "not a dsn")
		require.ErrorIs(t, err, ErrInvalid)
		assert.NotContains(t, err.Error(), "not a dsn", "a DSN may hold a password: never echo it")

		_, err = OpenSQL(ctx, "root:secret@tcp(127.0.0.1:1)/x")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "secret")

		db, dsn := newTestDBDSN(t, sch)
		s, err := OpenSQL(ctx, dsn)
		require.NoError(t, err)
		_, err = s.RegisterHost(ctx, HostSpec{NodeID: "hva.open", Hypervisor: "esxi", Force: true})
		require.NoError(t, err)
		require.NoError(t, s.Close())
		assert.Equal(t, 1, count(t, db, "host_nodes"))
		assert.NoError(t, NewSQL(db).Close(), "NewSQL does not own the pool")
		assert.NoError(t, db.Ping(), "the caller's pool stays open")
	})
}

func TestSQLConcurrentRegistrations(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		files := pairFiles("", "disk", 1000)
		srv := newImageServer(t, files)
		spec := ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: md5hex(files["disk-flat.vmdk"])}
		host := HostSpec{NodeID: "hva.esxi1", Hypervisor: "esxi", Force: true}

		const n = 6
		var wg sync.WaitGroup
		images := make([]ImageRegistration, n)
		hosts := make([]HostRegistration, n)
		errs := make([]error, 2*n)
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				images[i], errs[i] = NewSQL(db).RegisterImage(ctx, spec)
			}()
			go func() {
				defer wg.Done()
				hosts[i], errs[n+i] = NewSQL(db).RegisterHost(ctx, host)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		created, hostsCreated := 0, 0
		for i := range n {
			if images[i].Created {
				created++
			}
			if hosts[i].Created {
				hostsCreated++
			}
			assert.Equal(t, images[0].ImageID, images[i].ImageID)
			assert.Equal(t, hosts[0].Host.ID, hosts[i].Host.ID)
		}
		assert.Equal(t, 1, created)
		assert.Equal(t, 1, hostsCreated)
		assert.Equal(t, []int{1, 1, 1, 1}, []int{count(t, db, "backup_storages"), count(t, db, "backup_objects"),
			count(t, db, "images"), count(t, db, "host_nodes")})
	})
}
