package registry

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

// The schemas wakame-vdc's own migrations make, as MariaDB dumped them
// (testdata/wakame/make_schemas.sh regenerates them).
var (
	//go:embed testdata/wakame-head.sql
	wakameHeadSQL string
	//go:embed testdata/wakame-1203.sql
	wakame1203SQL string
)

// testSchema is one of dcmgr's schemas the SQL tests run on.
type testSchema struct {
	name    string
	dump    string
	version int
}

// testSchemas are the migrated schemas every SQL test runs on: HEAD and
// Wakame 12.03 (migration target 2), the seed's era.
var testSchemas = []testSchema{
	{name: "head", dump: wakameHeadSQL, version: 23},
	{name: "12.03", dump: wakame1203SQL, version: 2},
}

// forEachSchema runs f as a subtest for each of testSchemas.
func forEachSchema(t *testing.T, f func(t *testing.T, sch testSchema)) {
	t.Helper()
	for _, sch := range testSchemas {
		t.Run(sch.name, func(t *testing.T) { f(t, sch) })
	}
}

// newTestDB creates a database of its own (a unique name, so parallel
// runs never meet) from the dump of sch and drops it when the test ends.
func newTestDB(t testing.TB, sch testSchema) *sql.DB {
	t.Helper()
	db, _ := newTestDBDSN(t, sch)
	return db
}

// newTestDBDSN is newTestDB that also returns the database's DSN.
func newTestDBDSN(t testing.TB, sch testSchema) (*sql.DB, string) {
	t.Helper()
	cfg, err := mysql.ParseDSN(testenv.MySQLDSN(t))
	require.NoError(t, err)
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["sql_mode"] = "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO'"
	admin := *cfg
	admin.DBName = ""
	adminDB, err := sql.Open("mysql", admin.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = adminDB.Close() })
	name := "regtest_" + strings.ToLower(rand.Text()[:12])
	ctx := context.Background()
	_, err = adminDB.ExecContext(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := adminDB.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for _, stmt := range strings.Split(sch.dump, ";\n") {
		if strings.TrimSpace(stripComments(stmt)) == "" {
			continue
		}
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	return db, cfg.FormatDSN()
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			b.WriteString(l)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// setNodeState writes Isono's node_states row for nodeID.
func setNodeState(t testing.TB, db *sql.DB, nodeID, state string) {
	t.Helper()
	_, err := db.Exec(`INSERT INTO node_states (node_id, boot_token, state, created_at, updated_at, last_ping_at)
 VALUES (?, 'tok', ?, UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP())
 ON DUPLICATE KEY UPDATE state = VALUES(state)`, nodeID, state)
	require.NoError(t, err)
}

func count(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM "+table).Scan(&n))
	return n
}

// imageServer serves files by name and counts requests per method.
type imageServer struct {
	*httptest.Server
	files map[string][]byte
	heads atomic.Int64
	gets  atomic.Int64
}

func newImageServer(t testing.TB, files map[string][]byte) *imageServer {
	t.Helper()
	s := &imageServer{files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			s.heads.Add(1)
		} else {
			s.gets.Add(1)
		}
		b, ok := s.files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, time.Time{}, strings.NewReader(string(b)))
	}))
	t.Cleanup(s.Close)
	return s
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// pairFiles returns a flat of n bytes and its descriptor under dir.
func pairFiles(dir, name string, n int) map[string][]byte {
	flat := make([]byte, n)
	for i := range flat {
		flat[i] = byte(i * 7)
	}
	return map[string][]byte{
		dir + name + "-flat.vmdk": flat,
		dir + name + ".vmdk":      []byte("# Disk DescriptorFile\nRW 2048 VMFS \"" + name + "-flat.vmdk\"\n"),
	}
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }
