package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// InstanceSpec is one entry of the web frontend's instance_spec.yml
// (frontend/dcmgr_gui/config/instance_spec.yml.example):
//
//	esxi.small:
//	  cpu_cores: 1
//	  memory_size: 256
//	  hypervisor: 'esxi'
//	  quota_weight: 1.0
type InstanceSpec struct {
	CPUCores int `yaml:"cpu_cores"`
	// MemorySize is in MB.
	MemorySize int    `yaml:"memory_size"`
	Hypervisor string `yaml:"hypervisor"`
	// QuotaWeight defaults to 1.0 when zero.
	QuotaWeight float64 `yaml:"quota_weight"`
}

// NamedSpec is an instance spec with its name, in file order.
type NamedSpec struct {
	Name string
	InstanceSpec
}

func (s InstanceSpec) normalized(name string) (InstanceSpec, error) {
	if name == "" || strings.ContainsAny(name, "\n\r\t:#") || strings.TrimSpace(name) != name {
		return s, invalid("spec name", name, "must be non-empty, without spaces at its ends, tabs, newlines, ':' or '#'")
	}
	return s.normalizedValues()
}

// normalizedValues checks the values of s (not its name) and applies the
// default quota weight.
func (s InstanceSpec) normalizedValues() (InstanceSpec, error) {
	if s.CPUCores <= 0 {
		return s, invalid("cpu cores", strconv.Itoa(s.CPUCores), "must be positive")
	}
	if s.MemorySize <= 0 {
		return s, invalid("memory size", strconv.Itoa(s.MemorySize), "must be positive (MB)")
	}
	if !slices.Contains(hypervisors, s.Hypervisor) {
		return s, invalid("hypervisor", s.Hypervisor, "is not supported; use one of %s", strings.Join(hypervisors, ", "))
	}
	if s.QuotaWeight == 0 {
		s.QuotaWeight = 1.0
	}
	if s.QuotaWeight < 0 || s.QuotaWeight != s.QuotaWeight {
		return s, invalid("quota weight", fmt.Sprint(s.QuotaWeight), "must be positive")
	}
	return s, nil
}

// ReadSpecs reads instance_spec.yml; a missing or empty file has no specs.
func ReadSpecs(path string) ([]NamedSpec, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read instance specs: %w", err)
	}
	specs, err := ParseSpecs(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return specs, nil
}

// ParseSpecs parses the content of an instance_spec.yml.
func ParseSpecs(data []byte) ([]NamedSpec, error) {
	root, err := specRoot(data)
	if err != nil {
		return nil, err
	}
	var out []NamedSpec
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		var s InstanceSpec
		if v.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("instance spec %q (line %d) is not a mapping of cpu_cores, memory_size, hypervisor, quota_weight", k.Value, v.Line)
		}
		if err := v.Decode(&s); err != nil {
			return nil, fmt.Errorf("instance spec %q (line %d): %w", k.Value, v.Line, err)
		}
		out = append(out, NamedSpec{Name: k.Value, InstanceSpec: s})
	}
	return out, nil
}

// specRoot returns the top-level mapping of the file (a new one when the
// file is empty).
func specRoot(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("instance specs are not YAML: %w", err)
	}
	if doc.Kind == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("instance specs: want one YAML document")
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: root.HeadComment}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("instance specs (line %d): the top level must map spec names to specs", root.Line)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("instance specs (line %d): spec names must be plain strings", k.Line)
		}
		if seen[k.Value] {
			return nil, fmt.Errorf("instance specs (line %d): spec %q appears twice", k.Line, k.Value)
		}
		seen[k.Value] = true
	}
	return root, nil
}

// formatWeight prints 1 as "1.0", as the example file does.
func formatWeight(w float64) string {
	s := strconv.FormatFloat(w, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

func scalar(tag, value string, style yaml.Style) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value, Style: style}
}

// setField sets key in mapping m to a scalar, keeping the existing node's
// style and comments; it reports whether the value changed.
func setField(m *yaml.Node, key string, val *yaml.Node, equal func(*yaml.Node) bool) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			old := m.Content[i+1]
			if old.Kind == yaml.ScalarNode && equal(old) {
				return false
			}
			val.HeadComment, val.LineComment, val.FootComment = old.HeadComment, old.LineComment, old.FootComment
			if old.Kind == yaml.ScalarNode && val.Style != 0 && old.Style != 0 {
				val.Style = old.Style
			}
			m.Content[i+1] = val
			return true
		}
	}
	m.Content = append(m.Content, scalar("!!str", key, 0), val)
	return true
}

// EditSpecs returns data with the spec name set to spec (added at the end
// or updated in place) or, when spec is nil, removed. Other entries, their
// order and comments, and unknown keys of the edited entry are kept.
// changed is false when the file already said the same.
func EditSpecs(data []byte, name string, spec *InstanceSpec) (out []byte, changed bool, err error) {
	var s InstanceSpec
	if spec != nil {
		if s, err = spec.normalized(name); err != nil {
			return nil, false, err
		}
	}
	var doc yaml.Node
	root, err := specRoot(data)
	if err != nil {
		return nil, false, err
	}
	idx := -1
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == name {
			idx = i
		}
	}
	switch {
	case spec == nil && idx < 0:
		return data, false, nil
	case spec == nil:
		root.Content = slices.Delete(root.Content, idx, idx+2)
		changed = true
	default:
		var entry *yaml.Node
		if idx >= 0 && root.Content[idx+1].Kind == yaml.MappingNode {
			entry = root.Content[idx+1]
		} else {
			entry = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if idx >= 0 {
				root.Content[idx+1] = entry
			} else {
				root.Content = append(root.Content, scalar("!!str", name, 0), entry)
			}
			changed = true
		}
		intEq := func(v int) func(*yaml.Node) bool {
			return func(n *yaml.Node) bool { i, err := strconv.Atoi(n.Value); return err == nil && i == v }
		}
		changed = setField(entry, "cpu_cores", scalar("!!int", strconv.Itoa(s.CPUCores), 0), intEq(s.CPUCores)) || changed
		changed = setField(entry, "memory_size", scalar("!!int", strconv.Itoa(s.MemorySize), 0), intEq(s.MemorySize)) || changed
		changed = setField(entry, "hypervisor", scalar("!!str", s.Hypervisor, yaml.SingleQuotedStyle),
			func(n *yaml.Node) bool { return n.Value == s.Hypervisor }) || changed
		changed = setField(entry, "quota_weight", scalar("!!float", formatWeight(s.QuotaWeight), 0),
			func(n *yaml.Node) bool {
				f, err := strconv.ParseFloat(n.Value, 64)
				return err == nil && f == s.QuotaWeight
			}) || changed
	}
	if !changed {
		return data, false, nil
	}
	doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if len(root.Content) == 0 {
		return []byte{}, true, nil
	}
	if err := enc.Encode(&doc); err != nil {
		return nil, false, fmt.Errorf("write instance specs: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, false, fmt.Errorf("write instance specs: %w", err)
	}
	return buf.Bytes(), true, nil
}

// AddSpec adds or updates the spec name in the instance_spec.yml at path
// (created when missing), keeping every other entry. changed is false, and
// the file untouched, when it already held the same values. The file is
// replaced atomically and keeps its permissions.
func AddSpec(path, name string, spec InstanceSpec) (changed bool, err error) {
	return editSpecFile(path, name, &spec)
}

// RemoveSpec removes the spec name from the instance_spec.yml at path;
// changed is false when it was not there.
func RemoveSpec(path, name string) (changed bool, err error) {
	return editSpecFile(path, name, nil)
}

func editSpecFile(path, name string, spec *InstanceSpec) (bool, error) {
	data, err := os.ReadFile(path)
	mode := fs.FileMode(0o644)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if spec == nil {
			return false, nil
		}
	case err != nil:
		return false, fmt.Errorf("read instance specs: %w", err)
	default:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	}
	out, changed, err := EditSpecs(data, name, spec)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if !changed {
		return false, nil
	}
	if err := writeAtomic(path, out, mode); err != nil {
		return false, fmt.Errorf("write instance specs: %w", err)
	}
	return true, nil
}

// writeAtomic writes data to a temporary file next to path and renames it
// over path, so readers see the old or the new file, never half of one.
func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }()
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
