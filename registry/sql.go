package registry

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/joinerr"
	"github.com/go-sql-driver/mysql"
)

// SQL registers hosts and images by writing dcmgr's MySQL schema, as
// vdc-manage does. It is safe for concurrent use: each registration is one
// transaction, serialized with every other registration made through this
// package on the same database by a named lock (see inTx); registrations
// made by vdc-manage at the same moment are not covered.
type SQL struct {
	db      *sql.DB
	owned   bool
	hc      *http.Client
	log     *slog.Logger
	newUUID func() (string, error)
	now     func() time.Time
	tries   int

	specFile string

	schemaMu sync.Mutex
	schema   *Schema // nil until read
}

// SQLOption configures an SQL backend.
type SQLOption func(*SQL)

// WithProbeClient sets the HTTP client RegisterImage uses to HEAD and verify
// the image files (default: one with a 30 s timeout for HEAD requests and
// none for the streaming verification beyond the context).
func WithProbeClient(hc *http.Client) SQLOption { return func(s *SQL) { s.hc = hc } }

// WithSQLLogger logs registrations (ids, never DSNs or passwords).
func WithSQLLogger(l *slog.Logger) SQLOption { return func(s *SQL) { s.log = l } }

// OpenSQL connects to dcmgr's database with a go-sql-driver/mysql DSN, e.g.
// "root@tcp(127.0.0.1:3306)/wakame_dcmgr", and checks it answers. Close
// closes the connection pool.
func OpenSQL(ctx context.Context, dsn string, opts ...SQLOption) (*SQL, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, invalid("dsn", "(not shown)", "is not a go-sql-driver/mysql DSN: %v", err)
	}
	cfg.Loc = time.UTC
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("open dcmgr database %s/%s: %w", cfg.Addr, cfg.DBName, err)
	}
	db := sql.OpenDB(conn)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to dcmgr database %s/%s: %w", cfg.Addr, cfg.DBName, err)
	}
	s := NewSQL(db, opts...)
	s.owned = true
	return s, nil
}

// NewSQL uses an open *sql.DB (MySQL, dcmgr's schema). Close does not close db.
func NewSQL(db *sql.DB, opts ...SQLOption) *SQL {
	s := &SQL{
		db:      db,
		hc:      &http.Client{Timeout: 30 * time.Second},
		log:     slog.New(slog.DiscardHandler),
		newUUID: randomUUID,
		now:     func() time.Time { return time.Now().UTC().Truncate(time.Second) },
		tries:   10,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close closes the pool when OpenSQL opened it.
func (s *SQL) Close() error {
	if s.owned {
		return s.db.Close()
	}
	return nil
}

const uuidAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomUUID returns 8 characters of [a-z0-9], as dcmgr's models generate.
func randomUUID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate uuid: %w", err)
	}
	for i := range b {
		// 256 % 36 != 0: reject the top values to stay uniform.
		for b[i] >= 252 {
			var r [1]byte
			if _, err := rand.Read(r[:]); err != nil {
				return "", fmt.Errorf("generate uuid: %w", err)
			}
			b[i] = r[0]
		}
		b[i] = uuidAlphabet[int(b[i])%len(uuidAlphabet)]
	}
	return string(b[:]), nil
}

func isDuplicateKey(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1062
}

// insertUUID inserts one row keyed by a uuid: fixed when the caller chose
// it (a clash is a *ConflictError), otherwise generated and regenerated on
// collision, checked by a SELECT (backup_storages has no unique index) and
// by the unique index.
func (s *SQL) insertUUID(ctx context.Context, tx *sql.Tx, kind, table, prefix, fixed string, insert func(uuid string) error) (string, error) {
	// put inserts the row under u unless u is taken; taken reports a clash.
	put := func(u string) (taken bool, err error) {
		var one int
		err = tx.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE uuid = ? LIMIT 1", u).Scan(&one)
		switch {
		case err == nil:
			return true, nil
		case !errors.Is(err, sql.ErrNoRows):
			return false, fmt.Errorf("check %s uuid %s: %w", kind, Canonical(prefix, u), err)
		}
		if err := insert(u); err != nil {
			if isDuplicateKey(err) {
				return true, nil
			}
			return false, fmt.Errorf("insert %s %s: %w", kind, Canonical(prefix, u), err)
		}
		return false, nil
	}
	if fixed != "" {
		taken, err := put(fixed)
		if err != nil {
			return "", err
		}
		if taken {
			return "", &ConflictError{Kind: kind, ID: Canonical(prefix, fixed), Reason: "(duplicate UUID)"}
		}
		return fixed, nil
	}
	for try := 1; try <= s.tries; try++ {
		u, err := s.newUUID()
		if err != nil {
			return "", err
		}
		taken, err := put(u)
		if err != nil {
			return "", err
		}
		if !taken {
			return u, nil
		}
		s.log.DebugContext(ctx, "registry: uuid collision, regenerating", "kind", kind, "uuid", Canonical(prefix, u), "try", try)
	}
	return "", fmt.Errorf("insert %s: %d generated UUIDs all collided", kind, s.tries)
}

// lockTimeout bounds the wait for another registration of this database.
const lockTimeout = 30 * time.Second

// inTx runs fn in a transaction, committing when it returns nil. The
// transaction holds a MySQL named lock ("esxi-hva-registry.<database>") so
// that registrations made through this package never interleave: without
// it, two concurrent RegisterImage calls could both miss and both insert a
// backup storage (base_uri has no unique index), or two RegisterHost calls
// the same node id. vdc-manage itself takes no such lock.
func (s *SQL) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(CONCAT('esxi-hva-registry.', COALESCE(DATABASE(), '')), ?)",
		int(lockTimeout/time.Second)).Scan(&got); err != nil {
		return fmt.Errorf("take the registry lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("take the registry lock: another registration held it for %s", lockTimeout)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx),
			"DO RELEASE_LOCK(CONCAT('esxi-hva-registry.', COALESCE(DATABASE(), '')))"); rerr != nil {
			err = joinerr.Join(err, fmt.Errorf("release the registry lock: %w", rerr))
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return joinerr.Join(err, fmt.Errorf("roll back: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// hostSelect reads host_nodes with Isono's state. Before migration 0016
// host_nodes has no offering_disk_space_mb nor scheduling_enabled: such a
// host offers no disk space and is always scheduled (dcmgr 12.03 schedules
// every online host).
func hostSelect(sc Schema) string {
	offering := "0, 1"
	if sc.hostOffering {
		offering = "h.offering_disk_space_mb, h.scheduling_enabled"
	}
	return `SELECT h.uuid, COALESCE(h.node_id, ''), COALESCE(h.display_name, ''), h.arch, h.hypervisor,
 h.offering_cpu_cores, h.offering_memory_size, ` + offering + `,
 DATE_FORMAT(h.created_at, '%Y-%m-%dT%H:%i:%sZ'), DATE_FORMAT(h.updated_at, '%Y-%m-%dT%H:%i:%sZ'), n.state
 FROM host_nodes h LEFT JOIN node_states n ON n.node_id = h.node_id`
}

func queryHosts(ctx context.Context, q querier, sc Schema, where string, args ...any) ([]HostNode, error) {
	rows, err := q.QueryContext(ctx, hostSelect(sc)+" "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("query host_nodes: %w", err)
	}
	defer rows.Close()
	var out []HostNode
	for rows.Next() {
		var h HostNode
		var created, updated sql.NullString
		var state sql.NullString
		if err := rows.Scan(&h.UUID, &h.NodeID, &h.DisplayName, &h.Arch, &h.Hypervisor,
			&h.OfferingCPUCores, &h.OfferingMemorySize, &h.OfferingDiskSpaceMB, &h.SchedulingEnabled,
			&created, &updated, &state); err != nil {
			return nil, fmt.Errorf("read host_nodes row: %w", err)
		}
		h.UUID = Canonical(PrefixHostNode, h.UUID)
		h.ID = h.UUID
		h.CreatedAt, _ = ParseTime(created.String)
		h.UpdatedAt, _ = ParseTime(updated.String)
		h.Status = "offline"
		if state.Valid && state.String != "" {
			h.Status = state.String
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read host_nodes: %w", err)
	}
	return out, nil
}

// Hosts lists every host node with its status ("online", "timeout", or
// "offline" when Isono has no row), oldest first, like `vdc-manage host show`.
// On Wakame 12.03, whose host_nodes has neither, OfferingDiskSpaceMB is 0
// and SchedulingEnabled true.
func (s *SQL) Hosts(ctx context.Context) ([]HostNode, error) {
	sc, err := s.Schema(ctx)
	if err != nil {
		return nil, fmt.Errorf("list hosts: %w", err)
	}
	return queryHosts(ctx, s.db, sc, "ORDER BY h.id")
}

// NodeState returns Isono's state of a node ("online", "timeout", ...) or an
// error matching ErrNotFound when node_states has no row for it.
func (s *SQL) NodeState(ctx context.Context, nodeID string) (string, error) {
	var state sql.NullString
	err := s.db.QueryRowContext(ctx, "SELECT state FROM node_states WHERE node_id = ?", nodeID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("node %s: %w", nodeID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read node_states for %s: %w", nodeID, err)
	}
	return state.String, nil
}

func nullIfEmpty(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// RegisterHost validates spec and, in one transaction: compares an existing
// host with the same node id (same fields: no-op; different: *ConflictError
// naming them), checks node_states has a row for the node (unless Force;
// ErrNodeNotSeen otherwise), refuses a UUID another host has, and inserts the
// host_nodes row, with the columns the database's schema has (see Schema):
// on Wakame 12.03 a non-zero DiskSpaceMB is refused, as its host_nodes
// cannot hold it.
func (s *SQL) RegisterHost(ctx context.Context, spec HostSpec) (HostRegistration, error) {
	hs, err := spec.normalized()
	if err != nil {
		return HostRegistration{}, err
	}
	sc, err := s.Schema(ctx)
	if err != nil {
		return HostRegistration{}, fmt.Errorf("register host %s: %w", hs.NodeID, err)
	}
	if !sc.hostOffering && hs.DiskSpaceMB != 0 {
		return HostRegistration{}, invalid("disk space", fmt.Sprint(hs.DiskSpaceMB),
			"cannot be stored by %s: its host_nodes has no offering_disk_space_mb (migration 0016 adds it); leave it 0", sc)
	}
	var reg HostRegistration
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		existing, err := queryHosts(ctx, tx, sc, "WHERE h.node_id = ? ORDER BY h.id LIMIT 1", hs.NodeID)
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			reg.Host = existing[0]
			if d := hostDiff(existing[0], hs); len(d) > 0 {
				return &ConflictError{Kind: "host node", ID: existing[0].ID, Fields: d}
			}
			return nil
		}
		if !hs.Force {
			var state sql.NullString
			err := tx.QueryRowContext(ctx, "SELECT state FROM node_states WHERE node_id = ?", hs.NodeID).Scan(&state)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("host %s: %w", hs.NodeID, ErrNodeNotSeen)
			}
			if err != nil {
				return fmt.Errorf("read node_states for %s: %w", hs.NodeID, err)
			}
		}
		now := s.now()
		u, err := s.insertUUID(ctx, tx, "host node", "host_nodes", PrefixHostNode, hs.UUID, func(u string) error {
			if !sc.hostOffering {
				_, err := tx.ExecContext(ctx, `INSERT INTO host_nodes
 (uuid, created_at, updated_at, node_id, arch, hypervisor, display_name,
  offering_cpu_cores, offering_memory_size)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					u, now, now, hs.NodeID, hs.Arch, hs.Hypervisor, nullIfEmpty(hs.DisplayName),
					hs.CPUCores, hs.MemoryMB)
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO host_nodes
 (uuid, created_at, updated_at, node_id, arch, hypervisor, display_name,
  offering_cpu_cores, offering_memory_size, offering_disk_space_mb, scheduling_enabled)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
				u, now, now, hs.NodeID, hs.Arch, hs.Hypervisor, nullIfEmpty(hs.DisplayName),
				hs.CPUCores, hs.MemoryMB, hs.DiskSpaceMB)
			return err
		})
		if err != nil {
			return err
		}
		got, err := queryHosts(ctx, tx, sc, "WHERE h.uuid = ?", u)
		if err != nil {
			return err
		}
		if len(got) != 1 {
			return fmt.Errorf("host node %s vanished after insert", Canonical(PrefixHostNode, u))
		}
		reg = HostRegistration{Host: got[0], Created: true}
		return nil
	})
	if err != nil {
		if reg.Created { // rolled back
			reg = HostRegistration{}
		}
		return reg, err
	}
	if reg.Created {
		s.log.InfoContext(ctx, "registry: host registered", "node_id", hs.NodeID, "uuid", reg.Host.ID)
	}
	return reg, nil
}
