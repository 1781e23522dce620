// Package hvaconf reads the two files a Wakame-vdc HVA host already has:
// the Ruby-DSL hva.conf (Parse, ParseFile, Load, File.Config) and the
// shell environment file /etc/default/wakame-vdc (ParseDefaults,
// LoadDefaults).
//
// # hva.conf
//
// Wakame evaluates hva.conf as Ruby. esxi-hva never runs Ruby: it reads the
// subset operators write, which is enough for every ESXi setting:
//
//	# comment
//	config.esxi_ipaddress  = "192.168.2.25"     # "..." with \" \\ \n \t ... escapes
//	config.edge_networking = 'off'              # '...' (only \' and \\ escape)
//	config.esxi_insecure   = false              # true, false, nil
//	config.concurrency     = 8                  # integers (1_000, 0x10, -1), floats
//	config.lxc_log_level   = :error             # symbols
//	config.something       = ["a", 1, :b]       # arrays of literals
//	config.metadata_items  = { "x-foo" => "bar", other: "baz" }   # hashes
//	config.other           = %w[a b]            # %w/%i arrays, %q() strings, ?c, heredocs
//
// Wakame's DSL form of a setting, `vm_data_dir '/'` or `vm_data_dir('/')`
// without `config.`, sets a known key (one esxi-hva uses or one of
// Wakame's) like an assignment. `esxi_password = 'x'` without `config.`
// only sets a Ruby local variable, in Wakame too: it draws a warning.
//
// A value may start on the line after '=' and arrays and hashes may span
// lines. Interpolation inside a double-quoted string, "#{...}", is kept as
// literal text (with a warning). The file must be UTF-8 outside comments,
// as Ruby requires. A value that is Ruby code rather than a literal
// (File.join(...), ENV['X'], 60*15) is kept as an Expr: harmless for the
// Wakame settings esxi-hva ignores, an error for the ones it uses.
//
// Block sections of current Wakame files — dc_network('public') { ... },
// capture { ... }, hypervisor_driver('kvm') do ... end, config.x do |c| ...
// end, nested to any depth — and any other Ruby statement (require ...,
// a DSL call of an unknown name) are skipped with a warning naming the
// block and its lines. `config.key value` (a DSL call
// without '=') is a syntax error, so that a setting esxi-hva needs is never
// silently dropped. The one section esxi-hva reads is Wakame's
//
//	metadata {
//	  path 'extra-hosts/fluent.local', '192.168.1.101'
//	}
//
// whose paths become extra metadata CD files (Config.MetadataItems, merged
// with esxi-hva's own metadata_items, which wins where both name a path). Syntax errors are *SyntaxError values with the file,
// the line and what was expected: "expected value after '=' for
// config.esxi_password", "unterminated string: missing closing \" ...",
// "missing 'end' for block opened at line 12".
//
// Keys esxi-hva uses are listed by KnownKeys; the other top-level keys of
// Wakame's hva.rb (enable_ebtables, logging_service_port, trema_dir ...)
// are accepted silently; any other key gets an "unknown key" warning, with
// a suggestion when it looks like a typo of a known one.
//
// The esxi-hva keys beyond Wakame's are esxi_thumbprint, esxi_portgroup,
// image_cache_budget, use_linked_clone, concurrency, soft_poweroff_timeout
// and metadata_items
// (see Config). Where this package differs from Wakame on purpose:
// esxi_password has no default (Wakame's is "Some.Password1"), a key set
// to nil takes its default, and edge_networking other than 'off' draws a
// warning because ESXi hosts get no edge networking from esxi-hva.
//
// The ESXi guide esxi-hva grew from shows its hva.conf with the '#' of the
// comment lines lost in conversion; with the '#' restored (as in Wakame's
// hva.conf.example) it parses as is.
//
// Config.ESXi converts the connection settings for the esxi package, whose
// Validate checks what a connection needs. UsualPaths and FindConfig look
// for hva.conf where Wakame does (CONF_PATH, /etc/wakame-vdc/hva.conf,
// $VDC_ROOT/dcmgr/config/hva.conf).
//
// # Secrets
//
// Config prints its password as "***" through fmt (every verb), %#v,
// log/slog (LogValue) and encoding/json; File.Values holds the password as
// a Secret, which prints the same way; messages about a wrong
// esxi_password value name its type, never its text.
//
// # /etc/default/wakame-vdc
//
// ParseDefaults reads KEY=VALUE lines the way the shell would assign them,
// without running anything; see its doc for the exact subset, and for how
// bad lines are reported while good ones still count.
package hvaconf
