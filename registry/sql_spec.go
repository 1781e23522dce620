package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// PrefixInstanceSpec is the canonical prefix of Wakame 12.03's instance
// specs ("is-").
const PrefixInstanceSpec = "is"

// The YAML `vdc-manage spec add` of Wakame 12.03 stores with a new spec:
// its `addvif UUID eth0` and `adddrive UUID local ephemeral1` (cli/spec.rb),
// serialized by Ruby's YAML as dcmgr's serialization plugin does (the
// tests compare them with real Ruby's output).
const (
	specVifsYAML   = "---\neth0:\n  :index: 0\n  :bandwidth: 100000\n"
	specDrivesYAML = "---\nephemeral1:\n  :index: 0\n  :type: :local\n  :size: 100\n"
)

// SpecSpec is `vdc-manage spec add`. Which fields count depends on the
// database's schema (see Schema): Wakame 12.03 keeps specs in its
// instance_specs table (UUID, AccountID, Arch and the InstanceSpec values);
// later Wakame reads them from the web frontend's instance_spec.yml (Name
// and the InstanceSpec values), which the SQL backend edits when
// WithSpecFile names it.
type SpecSpec struct {
	// Name is the spec's key in instance_spec.yml, e.g. "esxi.small"
	// (not stored by 12.03, whose specs have only a UUID).
	Name string
	// UUID optionally fixes the 12.03 row's UUID ("is-esxismall" or
	// "esxismall"); generated when empty.
	UUID string
	// AccountID owns the 12.03 row; empty means "a-shpoolxx".
	AccountID string
	// Arch of the 12.03 row; empty means "x86_64".
	Arch string
	InstanceSpec
}

// SpecRegistration is the outcome of RegisterSpec.
type SpecRegistration struct {
	// ID is the canonical "is-" UUID on 12.03, the spec's Name otherwise.
	ID string
	// File is the instance_spec.yml written; empty on 12.03.
	File string
	// Created is false when the same spec was already registered.
	Created bool
}

// WithSpecFile names the web frontend's instance_spec.yml that RegisterSpec
// edits on a database whose schema has no instance_specs table.
func WithSpecFile(path string) SQLOption { return func(s *SQL) { s.specFile = path } }

// RegisterSpec is `vdc-manage spec add`, for the Wakame the database
// belongs to. On Wakame 12.03 it inserts the instance_specs row as
// vdc-manage did (one vif eth0 and one local drive ephemeral1, config {})
// and prints nothing; the same UUID with the same values again is a no-op,
// with different values a *ConflictError. On later Wakame, whose migration
// 0003 dropped that table, it adds the spec to the instance_spec.yml named
// by WithSpecFile (see AddSpec), or fails with ErrUnsupported when none is.
func (s *SQL) RegisterSpec(ctx context.Context, spec SpecSpec) (SpecRegistration, error) {
	sc, err := s.Schema(ctx)
	if err != nil {
		return SpecRegistration{}, fmt.Errorf("register spec: %w", err)
	}
	if !sc.instanceSpecs {
		if s.specFile == "" {
			return SpecRegistration{}, fmt.Errorf("register spec %q: %w: %s has no instance_specs table (migration 0003 dropped it); "+
				"its specs live in the web frontend's instance_spec.yml: name it with WithSpecFile", spec.Name, ErrUnsupported, sc)
		}
		changed, err := AddSpec(s.specFile, spec.Name, spec.InstanceSpec)
		if err != nil {
			return SpecRegistration{}, err
		}
		return SpecRegistration{ID: spec.Name, File: s.specFile, Created: changed}, nil
	}
	v, err := spec.InstanceSpec.normalizedValues()
	if err != nil {
		return SpecRegistration{}, err
	}
	spec.InstanceSpec = v
	if spec.AccountID == "" {
		spec.AccountID = DefaultAccount
	}
	if !accountRe.MatchString(spec.AccountID) {
		return SpecRegistration{}, invalid("account id", spec.AccountID, `must look like "a-shpoolxx"`)
	}
	if spec.Arch == "" {
		spec.Arch = DefaultArch
	}
	if !slices.Contains(arches, spec.Arch) {
		return SpecRegistration{}, invalid("arch", spec.Arch, "is not supported; use x86 or x86_64")
	}
	if spec.UUID, err = trimOptionalUUID(PrefixInstanceSpec, spec.UUID); err != nil {
		return SpecRegistration{}, err
	}
	var reg SpecRegistration
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if spec.UUID != "" {
			done, err := sameSpec(ctx, tx, spec)
			if err != nil || done {
				reg.ID = Canonical(PrefixInstanceSpec, spec.UUID)
				return err
			}
		}
		now := s.now()
		u, err := s.insertUUID(ctx, tx, "instance spec", "instance_specs", PrefixInstanceSpec, spec.UUID, func(u string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO instance_specs
 (account_id, uuid, hypervisor, arch, cpu_cores, memory_size, quota_weight, vifs, drives, config, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				spec.AccountID, u, spec.Hypervisor, spec.Arch, spec.CPUCores, spec.MemorySize, spec.QuotaWeight,
				specVifsYAML, specDrivesYAML, yamlEmptyHash, now, now)
			return err
		})
		if err != nil {
			return err
		}
		reg = SpecRegistration{ID: Canonical(PrefixInstanceSpec, u), Created: true}
		return nil
	})
	if err != nil {
		return SpecRegistration{}, fmt.Errorf("register spec: %w", err)
	}
	if reg.Created {
		s.log.InfoContext(ctx, "registry: instance spec registered", "uuid", reg.ID, "hypervisor", spec.Hypervisor)
	}
	return reg, nil
}

// sameSpec compares the instance_specs row with spec's UUID, if any: true
// when it holds the same values, a *ConflictError when it differs.
func sameSpec(ctx context.Context, tx *sql.Tx, spec SpecSpec) (bool, error) {
	var account, hv, arch string
	var cpu, mem int
	var weight float64
	err := tx.QueryRowContext(ctx, `SELECT account_id, hypervisor, arch, cpu_cores, memory_size, quota_weight
 FROM instance_specs WHERE uuid = ?`, spec.UUID).Scan(&account, &hv, &arch, &cpu, &mem, &weight)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up instance spec %s: %w", Canonical(PrefixInstanceSpec, spec.UUID), err)
	}
	var d fieldDiffs
	d.add("account id", account, spec.AccountID)
	d.add("hypervisor", hv, spec.Hypervisor)
	d.add("arch", arch, spec.Arch)
	d.add("cpu cores", strconv.Itoa(cpu), strconv.Itoa(spec.CPUCores))
	d.add("memory size", strconv.Itoa(mem), strconv.Itoa(spec.MemorySize))
	d.add("quota weight", formatWeight(weight), formatWeight(spec.QuotaWeight))
	if len(d) > 0 {
		return false, &ConflictError{Kind: "instance spec", ID: Canonical(PrefixInstanceSpec, spec.UUID), Fields: d}
	}
	return true, nil
}
