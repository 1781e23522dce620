// Package hvaconf reads the hva.conf a Wakame-vdc HVA host already has
// (Parse, ParseFile, Load, File.Config). Package vdcdefaults reads the
// other, /etc/default/wakame-vdc; its syntax errors are this package's
// *SyntaxError too.
//
// # hva.conf
//
// Wakame evaluates hva.conf as Ruby; esxi-hva never runs Ruby. It scans
// for what hva.conf files hold:
//
//	config.esxi_ipaddress = "192.168.2.25"  # "..." with Ruby's escapes, '...'
//	config.concurrency    = 8               # integers (1_000, 0x10, -1), floats
//	config.esxi_insecure  = false           # true, false, nil
//	config.lxc_log_level  = :error          # symbols
//	config.metadata_items = { "x-foo" => "bar", other: ["a", 1] }  # hashes, arrays
//	vm_data_dir '/'                         # Wakame's DSL form of a known key
//
// A value may start on the line after '=', and arrays and hashes may span
// lines. "#{...}" is kept as literal text, with a warning. A value that
// is Ruby code (File.join(...), 60 * 15) is kept as an Expr: harmless for
// the Wakame settings esxi-hva ignores, an error for those it uses.
// Blocks (dc_network('public') { ... }, hypervisor_driver(:kvm) do ...
// end) and any other statement are skipped by a depth count that reads
// strings and comments, with a warning naming them and their lines. The
// one block read is Wakame's metadata { path 'p', 'v' }, whose paths
// join Config.MetadataItems (esxi-hva's metadata_items wins where both
// name a path). Syntax errors are *SyntaxError values naming the file,
// the line and what was expected.
//
// KnownKeys lists the keys esxi-hva uses; the other keys of Wakame's
// hva.rb are accepted silently; any other key draws an "unknown key"
// warning, with a suggestion when it looks like a typo. Unlike Wakame,
// esxi_password has no default and a key set to nil takes its default.
// The password is a Password, which prints as "***" through fmt, slog and
// encoding/json; messages about a wrong esxi_password name its type only.
package hvaconf
