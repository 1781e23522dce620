package main

import (
	"fmt"
	"runtime/debug"
)

// versionString is "esxi-hva <module version> (<vcs revision>[, modified]
// <vcs time>, <go version>)" from the build info the Go toolchain
// embeds; "(devel)" and "unknown" stand for what a build did not record.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "esxi-hva (no build info)"
	}
	return formatVersion(bi)
}

func formatVersion(bi *debug.BuildInfo) string {
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	rev, at, modified := "unknown", "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = " " + s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		rev += ", modified"
	}
	return fmt.Sprintf("esxi-hva %s (revision %s%s, %s)", version, rev, at, bi.GoVersion)
}
