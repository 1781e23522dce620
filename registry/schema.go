package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// ErrUnknownSchema marks a database whose dcmgr schema the SQL backend does
// not know (no schema_info, or a version it was not tested on); the
// concrete error is a *SchemaError.
var ErrUnknownSchema = errors.New("unknown dcmgr schema")

// SchemaError says why a database's schema was refused: its schema_info
// version (or that it has none) and the versions the SQL backend knows.
type SchemaError struct {
	// Version is schema_info's version; -1 when there is none.
	Version int64
	// Reason says what is wrong.
	Reason string
}

// Error names the version found and the ones known.
func (e *SchemaError) Error() string {
	known := make([]string, 0, len(knownSchemas))
	for _, s := range knownSchemas {
		known = append(known, fmt.Sprintf("%d (%s)", s.Version, s.Name))
	}
	return fmt.Sprintf("dcmgr database %s; the registry knows schema_info versions %s",
		e.Reason, strings.Join(known, " and "))
}

// Is reports whether target is ErrUnknownSchema.
func (e *SchemaError) Is(target error) bool { return target == ErrUnknownSchema }

// Schema is a layout of dcmgr's database that the SQL backend can write,
// chosen by the database's schema_info version (the last of dcmgr's Sequel
// migrations applied).
type Schema struct {
	// Version is the schema_info version.
	Version int
	// Name says which Wakame makes it.
	Name string

	// hostOffering: host_nodes has offering_disk_space_mb (migration
	// 0016) and scheduling_enabled (0019, renamed by 0021).
	hostOffering bool
	// imageDisks: images has volumes and vifs (0015) and os_type
	// (0020); backup_objects has source_volume_id (0015).
	imageDisks bool
	// instanceSpecs: the instance_specs table, which 0003 drops; later
	// Wakame reads specs from the web frontend's instance_spec.yml.
	instanceSpecs bool
}

// The schemas the SQL backend knows: those its tests run on, made by
// wakame-vdc's own migrations (testdata/wakame-*.sql). Intermediate
// versions are refused rather than guessed.
var knownSchemas = []Schema{
	{Version: 2, Name: "Wakame 12.03", instanceSpecs: true},
	{Version: 23, Name: "wakame-vdc HEAD", hostOffering: true, imageDisks: true},
}

// KnownSchemaVersions returns the schema_info versions the SQL backend
// knows, oldest first.
func KnownSchemaVersions() []int {
	out := make([]int, len(knownSchemas))
	for i, s := range knownSchemas {
		out[i] = s.Version
	}
	return out
}

// String is the schema's name and version.
func (sc Schema) String() string {
	return sc.Name + " (schema_info version " + strconv.Itoa(sc.Version) + ")"
}

// Schema reads the database's schema_info version and returns the layout
// the SQL backend writes for it, or a *SchemaError (ErrUnknownSchema) that
// names the version. The answer is kept for the life of s: migrate the
// database, then open a new SQL.
func (s *SQL) Schema(ctx context.Context) (Schema, error) {
	s.schemaMu.Lock()
	defer s.schemaMu.Unlock()
	if s.schema != nil {
		return *s.schema, nil
	}
	sc, err := readSchema(ctx, s.db)
	if err != nil {
		return Schema{}, err
	}
	s.schema = &sc
	return sc, nil
}

func readSchema(ctx context.Context, db *sql.DB) (Schema, error) {
	rows, err := db.QueryContext(ctx, "SELECT version FROM schema_info")
	if err != nil {
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1146 { // ER_NO_SUCH_TABLE
			return Schema{}, &SchemaError{Version: -1, Reason: "has no schema_info table: dcmgr's migrations have not run on it"}
		}
		return Schema{}, fmt.Errorf("read schema_info: %w", err)
	}
	defer rows.Close()
	var versions []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return Schema{}, fmt.Errorf("read schema_info: %w", err)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		return Schema{}, fmt.Errorf("read schema_info: %w", err)
	}
	switch len(versions) {
	case 0:
		return Schema{}, &SchemaError{Version: -1, Reason: "has an empty schema_info table"}
	case 1:
	default:
		return Schema{}, &SchemaError{Version: -1, Reason: fmt.Sprintf("has %d rows in schema_info, want one", len(versions))}
	}
	for _, sc := range knownSchemas {
		if int64(sc.Version) == versions[0] {
			return sc, nil
		}
	}
	return Schema{}, &SchemaError{Version: versions[0],
		Reason: fmt.Sprintf("is at schema_info version %d, which the registry does not know", versions[0])}
}
