package esxi

import "fmt"

// MaxIDLen is the longest id ValidateID accepts: vSphere's limit on a
// VM's name, which an instance id becomes.
const MaxIDLen = 80

// ValidateID checks a name that Wakame (or any other caller) chooses and
// that addresses an object's own datastore folder or file: an instance id
// (the VM's name and its folder "[ds] <id>/"), a volume, vif, image or
// backup object id. It is stricter than ValidateName, which also checks
// the agent's own file names:
//
//   - 1 to MaxIDLen (80) bytes;
//   - ASCII letters, digits, '-', '_' and '.';
//   - the first character a letter or a digit.
//
// The first rule leaves out every name starting with a dot, so an id can
// never be, or reach into, the agent's own folders (".esxi-hva/...": the
// image cache, its locks and temporaries), nor be "." or "..". The charset
// leaves out path separators, white space, brackets and the characters
// ESXi escapes in file names. Wakame's ids ("i-abc12345", "vol-...",
// "vif-...", "bo-...", "wmi-...") all pass.
func ValidateID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty id", ErrBadName)
	case len(id) > MaxIDLen:
		return fmt.Errorf("%w: id of %d bytes is longer than %d", ErrBadName, len(id), MaxIDLen)
	case !isAlnum(id[0]):
		return fmt.Errorf("%w: id %q must start with a letter or a digit (names starting with '.' are the agent's own)", ErrBadName, id)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return fmt.Errorf("%w: id %q contains %q (allowed: letters, digits, '-', '_', '.')", ErrBadName, id, rune(c))
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
