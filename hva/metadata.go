package hva

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/internal/metadrive"
)

// MetadataItems returns the metadata items of inst, the tree Wakame's
// AWS-style metadata gives (dcmgr's Metadata::AWS): paths relative to the
// CD's meta-data/ folder mapped to values. A path ending in "/" with an
// empty value is an empty folder ("public-keys/" when the instance has no
// key). extra items (the agent's configuration) are added after the
// instance's own and before the keys, as Wakame does.
//
// Per vif with an IPv4 lease on a network, the items under
// network/interfaces/macs/<mac with dashes>/ give its addresses, security
// groups and the network's gateway, DNS, netmask, network, broadcast and
// metric.
func MetadataItems(inst *Instance, extra map[string]string) map[string]string {
	first := func(l []string) string {
		if len(l) == 0 {
			return ""
		}
		return l[0]
	}
	mac := ""
	if len(inst.Vifs) > 0 {
		mac = macForm(inst.Vifs[0].MAC, ":")
	}
	items := map[string]string{
		"ami-id":                      inst.Image.ID,
		"ami-launch-index":            "0",
		"ami-manifest-path":           "",
		"ancestor-ami-ids":            "",
		"block-device-mapping/root":   "/dev/sda",
		"hostname":                    inst.Hostname,
		"instance-action":             inst.State,
		"instance-id":                 inst.ID,
		"instance-type":               inst.InstanceType,
		"kernel-id":                   "",
		"local-hostname":              inst.Hostname,
		"local-ipv4":                  first(inst.IPs),
		"mac":                         mac,
		"placement/availability-zone": "",
		"product-codes":               "",
		"public-hostname":             inst.Hostname,
		"public-ipv4":                 first(inst.NATIPs),
		"ramdisk-id":                  "",
		"reservation-id":              "",
		"x-account-id":                inst.AccountID,
	}
	for _, vif := range inst.Vifs {
		if vif.IPv4 == nil || vif.IPv4.Network == nil {
			continue
		}
		nw := vif.IPv4.Network
		dir := "network/interfaces/macs/" + macForm(vif.MAC, "-") + "/"
		mask, bcast := netmask(nw.IPv4Network, nw.Prefix)
		items[dir+"local-hostname"] = inst.Hostname
		items[dir+"local-ipv4s"] = vif.IPv4.Address
		items[dir+"mac"] = macForm(vif.MAC, ":")
		items[dir+"public-hostname"] = inst.Hostname
		items[dir+"public-ipv4s"] = vif.IPv4.NATAddress
		items[dir+"security-groups"] = strings.Join(vif.SecurityGroups, " ")
		items[dir+"x-dns"] = nw.DNSServer
		items[dir+"x-gateway"] = nw.Gateway
		items[dir+"x-netmask"] = mask
		items[dir+"x-network"] = nw.IPv4Network
		items[dir+"x-broadcast"] = bcast
		items[dir+"x-metric"] = strconv.Itoa(nw.Metric)
	}
	for k, v := range extra {
		items[k] = v
	}
	if inst.SSHKey != nil {
		items["public-keys/0="+inst.SSHKey.ID] = inst.SSHKey.PublicKey
		items["public-keys/0/openssh-key"] = inst.SSHKey.PublicKey
	} else {
		items["public-keys/"] = ""
	}
	return items
}

// macForm writes a 12-digit MAC with sep between the octets.
func macForm(mac, sep string) string {
	if len(mac) != 12 {
		return mac
	}
	parts := make([]string, 6)
	for i := range parts {
		parts[i] = mac[2*i : 2*i+2]
	}
	return strings.Join(parts, sep)
}

// netmask returns the dotted netmask and the broadcast address of
// network/prefix; empty strings when the network is not an IPv4 address.
func netmask(network string, prefix int) (mask, broadcast string) {
	addr, err := netip.ParseAddr(network)
	if err != nil || !addr.Is4() || prefix < 0 || prefix > 32 {
		return "", ""
	}
	m := uint32(0)
	if prefix > 0 {
		m = ^uint32(0) << (32 - prefix)
	}
	a := addr.As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	b := n&m | ^m
	dotted := func(x uint32) string {
		return fmt.Sprintf("%d.%d.%d.%d", x>>24, x>>16&0xff, x>>8&0xff, x&0xff)
	}
	return dotted(m), dotted(b)
}

// line is Ruby's puts: the value and a newline unless it ends with one.
func line(v string) []byte {
	if strings.HasSuffix(v, "\n") {
		return []byte(v)
	}
	return []byte(v + "\n")
}

// metadataTree lays the items out as wakame-init reads them: items under
// meta-data/, user-data at the root.
func metadataTree(items map[string]string, userData string) metadrive.Tree {
	tree := make(metadrive.Tree, len(items)+1)
	for k, v := range items {
		if strings.HasSuffix(k, "/") && v == "" {
			tree["meta-data/"+k] = nil
			continue
		}
		tree["meta-data/"+k] = line(v)
	}
	tree["user-data"] = line(userData)
	return tree
}

// maxMetadataImage bounds metadata.img: user_data of MaxUserData bytes
// (DecodeInstance refuses more) plus room for the items and the FAT.
const maxMetadataImage = MaxUserData + 16<<20

// metadataImageSize sizes metadata.img to fit tree with room to spare:
// the 1 MiB before the partition, the content with each file rounded to
// a cluster and its directory entries, an eighth more for the FAT and
// slack, in whole MiB, at least 2 MiB. The Ruby HVA always makes 10 MiB;
// a smaller image is a smaller upload on every launch and power-on.
func metadataImageSize(tree metadrive.Tree) int64 {
	var content int64
	for name, data := range tree {
		content += int64(len(data)) + 4096 + int64(len(name))*2 // data rounded to a cluster, LFN entries
	}
	size := int64(metadrive.PartitionOffset) + content + content/8 + 512<<10
	size = (size + 1<<20 - 1) &^ (1<<20 - 1)
	return max(size, 2<<20)
}

// metadataCD builds the instance's metadata CD.
func (h *Handler) metadataCD(inst *Instance) (io.Reader, int64, error) {
	tree := metadataTree(MetadataItems(inst, h.opts.MetadataItems), inst.UserData)
	opts := metadrive.Options{ModTime: h.opts.Now().UTC().Truncate(1e9), ImageSize: metadataImageSize(tree)}
	for {
		cd, err := metadrive.BuildCD(tree, opts)
		if errors.Is(err, metadrive.ErrTooLarge) && opts.ImageSize < maxMetadataImage {
			opts.ImageSize = min(2*opts.ImageSize, maxMetadataImage) // the estimate fell short (many tiny files)
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		return cd.Reader(), cd.Size(), nil
	}
}

// uploadMetadataCD builds the metadata CD and uploads it as
// "[ds] <id>/metadata.iso".
func (h *Handler) uploadMetadataCD(ctx context.Context, log *slog.Logger, inst *Instance) (esxi.DatastorePath, error) {
	dst, err := esxi.DatastorePath{Datastore: h.hv.Datastore()}.Join(inst.ID, "metadata.iso")
	if err != nil {
		return dst, err
	}
	r, size, err := h.metadataCD(inst)
	if err != nil {
		return dst, fmt.Errorf("build metadata CD for %s: %w", inst.ID, err)
	}
	if err := h.hv.Upload(ctx, dst, r, size); err != nil {
		return dst, err
	}
	log.Info("metadata CD uploaded", "path", dst.String(), "bytes", size)
	return dst, nil
}
