package hva

import (
	"context"
	"fmt"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// getNIC asks the collector (get_nic) for a vif's MAC and instance.
func (h *Handler) getNIC(ctx context.Context, vifID string) (*NIC, string, error) {
	src, ok := h.col.(NICSource)
	if !ok {
		return nil, "", fmt.Errorf("%w: the collector does not answer get_nic", ErrUnsupported)
	}
	nic, err := ask(ctx, "get_nic", "vif", vifID, src.GetNIC, DecodeNIC, func(n *NIC) string { return n.ID })
	if err != nil {
		return nil, "", err
	}
	if err := esxi.ValidateID(nic.InstanceID); err != nil {
		return nil, "", fmt.Errorf("get_nic %s: instance_uuid: %w", vifID, err)
	}
	return nic, nic.InstanceID, nil
}
