package hvaconf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SystemConfigPath is where packaged Wakame installations keep hva.conf.
const SystemConfigPath = "/etc/wakame-vdc/hva.conf"

// UsualPaths lists where Wakame's HVA looks for hva.conf, in its order:
// confPath (the CONF_PATH environment variable, when set),
// /etc/wakame-vdc/hva.conf, then <vdcRoot>/dcmgr/config/hva.conf (the
// source checkout of the ESXi guide; vdcRoot is VDC_ROOT). Empty inputs are
// left out.
func UsualPaths(confPath, vdcRoot string) []string {
	var out []string
	if confPath != "" {
		out = append(out, confPath)
	}
	out = append(out, SystemConfigPath)
	if vdcRoot != "" {
		out = append(out, filepath.Join(vdcRoot, "dcmgr", "config", "hva.conf"))
	}
	return out
}

// FindConfig returns the first of paths that is an existing regular file.
// When none is, the error wraps fs.ErrNotExist and names every path tried;
// other errors (permission denied) are returned as they are met.
func FindConfig(paths []string) (string, error) {
	for _, p := range paths {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return p, nil
		case err == nil:
			return "", fmt.Errorf("hva.conf: %s is not a regular file", p)
		case errors.Is(err, fs.ErrNotExist):
			continue
		default:
			return "", fmt.Errorf("hva.conf: %w", err)
		}
	}
	return "", fmt.Errorf("hva.conf: none of %s: %w", strings.Join(paths, ", "), fs.ErrNotExist)
}
