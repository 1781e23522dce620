// Command register does what the seed's administrator does with vdc-manage
// on the Wakame-vdc host, in Go: register the ESXi HVA's host node, show
// the hosts, register a VMDK pair by its -flat URI and md5, and add an ESXi
// instance spec.
//
//	register [-api URL] [-db DSN] [-account a-shpoolxx] COMMAND ...
//
//	host add NODE_ID [-uuid hn-esxi1] [-display-name NAME] [-cpu-cores N] [-memory-size MB]
//	                 [-hypervisor esxi] [-arch x86_64] [-force]     (-hypervisor defaults to esxi)
//	host show
//	image add FLAT_URI -md5sum MD5 [-account-id a-shpoolxx] [-is-public] [-description TEXT]
//	                   [-display-name NAME] [-verify]
//	spec add NAME [-hypervisor esxi] [-cpu-cores 1] [-memory-size 256] [-quota-weight 1.0]
//	              [-file instance_spec.yml] [-uuid is-...]
//
// Hosts go to dcmgr's MySQL database with -db (as vdc-manage does: the
// node must have been seen by Isono unless -force), else to the Web API with
// -api. Images need -db: dcmgr's API cannot create them. The DSN may also
// come from WAKAME_DB_DSN, which keeps a password out of the process list.
// Instance specs are written to the web frontend's instance_spec.yml; with
// -db, to where the database's Wakame keeps them: 12.03's instance_specs
// table, or (later Wakame) the instance_spec.yml named by -file.
//
// With neither -api nor -db, everything runs against an embedded in-memory
// registry (registrytest) whose state is lost on exit; with no command at
// all, register runs the seed's four steps there, with a built-in image
// server standing in for nginx:
//
//	go run ./examples/register
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/registry"
	"github.com/esxi-hva/esxi-hva/registry/registrytest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "register:", err)
		os.Exit(1)
	}
}

// usage is register's -h: the global flags come after it.
const usage = `usage: register [-api URL] [-db DSN] [-account ID] [COMMAND SUBCOMMAND [flags] ARGS]

vdc-manage's steps for an ESXi HVA, in Go. Commands:
  host add NODE_ID    register the HVA's host node (-hypervisor defaults to esxi)
  host show           list the host nodes
  image add FLAT_URI  register a VMDK pair by its -flat URI and md5 (needs -db)
  spec add NAME       add an instance spec (instance_spec.yml; with -db on 12.03, the instance_specs table)
With no command: the seed's four steps on an embedded registry.
"register COMMAND SUBCOMMAND -h" lists a command's flags.

flags:
`

// run is the program; -h (of register or of a command) is not an error.
func run(ctx context.Context, args []string, out io.Writer) error {
	a := &app{out: out}
	defer a.close()
	if err := a.run(ctx, args); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

// app holds the chosen backends for one run.
type app struct {
	out     io.Writer
	api     string
	dsn     string
	account string

	// fake is the embedded registry used when neither -api nor -db is
	// given; a test may set it beforehand to inspect it afterwards.
	fake   *registrytest.Server
	owned  bool
	sqlReg *registry.SQL
	client *registry.Client
	// specDir is where the demo writes instance_spec.yml (a temporary
	// directory unless set).
	specDir string
}

func (a *app) close() {
	if a.sqlReg != nil {
		_ = a.sqlReg.Close()
	}
	if a.owned && a.fake != nil {
		a.fake.Close()
	}
}

func (a *app) run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	fs.SetOutput(a.out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&a.api, "api", "", "dcmgr Web API, e.g. http://192.168.2.98:9001/api/12.03/")
	// The environment's DSN is not the flag's default: -h would print it,
	// password included.
	fs.StringVar(&a.dsn, "db", "", "dcmgr MySQL DSN, e.g. root@tcp(192.168.2.98:3306)/wakame_dcmgr (default $WAKAME_DB_DSN)")
	fs.StringVar(&a.account, "account", registry.DefaultAccount, "account header for the Web API")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if a.dsn == "" {
		a.dsn = os.Getenv("WAKAME_DB_DSN")
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return a.demo(ctx)
	}
	if len(rest) < 2 {
		return fmt.Errorf("want COMMAND SUBCOMMAND (host add|host show|image add|spec add), got %q", strings.Join(rest, " "))
	}
	switch rest[0] + " " + rest[1] {
	case "host add":
		return a.hostAdd(ctx, rest[2:])
	case "host show":
		return a.hostShow(ctx)
	case "image add":
		return a.imageAdd(ctx, rest[2:])
	case "spec add":
		return a.specAdd(ctx, rest[2:])
	}
	return fmt.Errorf("unknown command %q: want host add, host show, image add or spec add", rest[0]+" "+rest[1])
}

// embedded returns the in-memory registry, starting it on first use.
func (a *app) embedded() *registrytest.Server {
	if a.fake == nil {
		a.fake = registrytest.Start()
		a.owned = true
		fmt.Fprintln(a.out, "using an embedded in-memory registry (no -api or -db given; its state is lost on exit)")
	}
	return a.fake
}

// hosts picks the backend for host commands: SQL, then the Web API, then
// the embedded registry's API.
func (a *app) hosts(ctx context.Context) (registry.Registrar, error) {
	if a.dsn != "" {
		return a.sql(ctx)
	}
	return a.apiClient()
}

func (a *app) sql(ctx context.Context) (*registry.SQL, error) {
	if a.sqlReg == nil {
		s, err := registry.OpenSQL(ctx, a.dsn)
		if err != nil {
			return nil, err
		}
		a.sqlReg = s
	}
	return a.sqlReg, nil
}

func (a *app) apiClient() (*registry.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	base := a.api
	if base == "" {
		base = a.embedded().URL
	}
	c, err := registry.NewClient(base, registry.WithAccount(a.account))
	if err != nil {
		return nil, err
	}
	a.client = c
	return c, nil
}

// parse parses flags that may come before or after positional arguments
// (vdc-manage style: "host add hva.esxi1 --uuid hn-esxi1").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func (a *app) hostAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("host add", flag.ContinueOnError)
	fs.SetOutput(a.out)
	var s registry.HostSpec
	fs.StringVar(&s.UUID, "uuid", "", "host node UUID, e.g. hn-esxi1")
	fs.StringVar(&s.DisplayName, "display-name", "", "display name")
	fs.StringVar(&s.DisplayName, "name", "", "display name (2012 vdc-manage spelling)")
	fs.IntVar(&s.CPUCores, "cpu-cores", registry.DefaultCPUCores, "offered CPU cores")
	fs.IntVar(&s.MemoryMB, "memory-size", registry.DefaultMemoryMB, "offered memory (MB)")
	fs.IntVar(&s.DiskSpaceMB, "disk-space", 0, "offered disk space (MB)")
	// esxi, not Wakame's kvm: this program registers ESXi HVAs.
	fs.StringVar(&s.Hypervisor, "hypervisor", "esxi", "hypervisor: "+strings.Join(registry.Hypervisors(), ", "))
	fs.StringVar(&s.Arch, "arch", registry.DefaultArch, "x86 or x86_64")
	fs.BoolVar(&s.Force, "force", false, "register a node whose HVA has never been seen")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("host add: want one NODE_ID (e.g. hva.esxi1), got %d arguments", len(pos))
	}
	s.NodeID = pos[0]
	r, err := a.hosts(ctx)
	if err != nil {
		return err
	}
	reg, err := r.RegisterHost(ctx, s)
	if errors.Is(err, registry.ErrNodeNotSeen) {
		return fmt.Errorf("%w\n(start the HVA, wait for its first heartbeat, or add -force)", err)
	}
	if err != nil {
		return err
	}
	if reg.Created {
		fmt.Fprintln(a.out, reg.Host.ID)
	} else {
		fmt.Fprintf(a.out, "%s (already registered)\n", reg.Host.ID)
	}
	return nil
}

func (a *app) hostShow(ctx context.Context) error {
	r, err := a.hosts(ctx)
	if err != nil {
		return err
	}
	hosts, err := r.Hosts(ctx)
	if err != nil {
		return err
	}
	for _, h := range hosts {
		fmt.Fprintf(a.out, "%-15s %-20s %s\n", h.ID, h.NodeID, h.Status)
	}
	return nil
}

func (a *app) imageAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("image add", flag.ContinueOnError)
	fs.SetOutput(a.out)
	var s registry.ImageSpec
	fs.StringVar(&s.MD5, "md5sum", "", "md5 of the -flat file (required)")
	fs.StringVar(&s.AccountID, "account-id", registry.DefaultAccount, "owning account")
	fs.BoolVar(&s.Public, "is-public", false, "visible to every account")
	fs.StringVar(&s.Description, "description", "", "description")
	fs.StringVar(&s.DisplayName, "display-name", "", "display name (default: the descriptor's file name)")
	fs.StringVar(&s.Arch, "arch", registry.DefaultArch, "x86 or x86_64")
	fs.StringVar(&s.UUID, "uuid", "", "image UUID, e.g. wmi-lucid")
	fs.BoolVar(&s.Verify, "verify", false, "download the flat file once and check its md5 before registering")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("image add: want one FLAT_URI (http://.../NAME-flat.vmdk), got %d arguments", len(pos))
	}
	s.FlatURI = pos[0]
	bar := &progressBar{out: a.out}
	if s.Verify {
		s.Progress = bar.update
	}
	reg, err := a.registerImage(ctx, s)
	bar.finish()
	if err != nil {
		return err
	}
	state := "registered"
	if !reg.Created {
		state = "already registered"
	}
	fmt.Fprintf(a.out, "%s %s (%s, %s, %d bytes, descriptor %s)\n", reg.ImageID, state,
		reg.BackupObjectID, reg.BackupStorageID, reg.Size, reg.Pair.DescriptorURI)
	return nil
}

// registerImage picks the backend: SQL; the Web API cannot (the client
// says so); the embedded registry stands in for the database.
func (a *app) registerImage(ctx context.Context, s registry.ImageSpec) (registry.ImageRegistration, error) {
	switch {
	case a.dsn != "":
		db, err := a.sql(ctx)
		if err != nil {
			return registry.ImageRegistration{}, err
		}
		return db.RegisterImage(ctx, s)
	case a.api != "":
		c, err := a.apiClient()
		if err != nil {
			return registry.ImageRegistration{}, err
		}
		reg, err := c.RegisterImage(ctx, s)
		if err != nil {
			return reg, fmt.Errorf("%w (give -db to write dcmgr's database)", err)
		}
		return reg, nil
	default:
		return a.embedded().RegisterImage(ctx, s)
	}
}

func (a *app) specAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("spec add", flag.ContinueOnError)
	fs.SetOutput(a.out)
	var s registry.InstanceSpec
	fs.StringVar(&s.Hypervisor, "hypervisor", "esxi", "hypervisor")
	fs.IntVar(&s.CPUCores, "cpu-cores", 1, "CPU cores")
	fs.IntVar(&s.MemorySize, "memory-size", 256, "memory (MB)")
	fs.Float64Var(&s.QuotaWeight, "quota-weight", 1.0, "quota weight")
	file := fs.String("file", "instance_spec.yml", "the web frontend's instance_spec.yml (Wakame after 12.03)")
	uuid := fs.String("uuid", "", "with -db on Wakame 12.03: the spec's UUID (is-...); generated when empty")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("spec add: want one NAME (e.g. esxi.small), got %d arguments", len(pos))
	}
	if a.dsn != "" {
		// The database says where its Wakame keeps specs: 12.03's
		// instance_specs table, or (since migration 0003) the web
		// frontend's instance_spec.yml.
		db, err := registry.OpenSQL(ctx, a.dsn, registry.WithSpecFile(*file))
		if err != nil {
			return err
		}
		defer db.Close()
		reg, err := db.RegisterSpec(ctx, registry.SpecSpec{Name: pos[0], UUID: *uuid, AccountID: a.account, InstanceSpec: s})
		if err != nil {
			return err
		}
		switch {
		case reg.File != "" && reg.Created:
			fmt.Fprintf(a.out, "%s written to %s\n", pos[0], reg.File)
		case reg.File != "":
			fmt.Fprintf(a.out, "%s already in %s\n", pos[0], reg.File)
		case reg.Created:
			fmt.Fprintf(a.out, "%s\n", reg.ID)
		default:
			fmt.Fprintf(a.out, "%s already registered\n", reg.ID)
		}
		return nil
	}
	changed, err := registry.AddSpec(*file, pos[0], s)
	if err != nil {
		return err
	}
	if changed {
		fmt.Fprintf(a.out, "%s written to %s\n", pos[0], *file)
	} else {
		fmt.Fprintf(a.out, "%s already in %s\n", pos[0], *file)
	}
	return nil
}

// shellJoin quotes the arguments that need it, for echoing a command.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, s := range args {
		if s == "" || strings.ContainsAny(s, " \t\"'$") {
			s = strconv.Quote(s)
		}
		q[i] = s
	}
	return strings.Join(q, " ")
}
