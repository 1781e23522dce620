package hva

import (
	"context"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// Symbol is a value Wakame expects as a Ruby Symbol rather than a String:
// instance and volume states (the collector compares
// data[:state] == :terminated). Transports encode it as a Symbol. It is
// the Ruby Marshal codec's Symbol, so that a Symbol decoded from Wakame
// and one the handler sends are the same type.
type Symbol = rubymarshal.Symbol

// Collector is what a job asks of Wakame: the RPCs of its hva-collector
// and sta-collector. Hashes are generic: keys are the field names (Ruby
// Symbol keys arrive as plain strings), values are strings, numbers,
// bools, nil, time.Time, slices, nested maps, and string-kinded types
// such as a transport's Symbol. Values the handler sends that Wakame
// needs as Symbols are of type Symbol.
//
// hva/isono implements it over AMQP; hva/hvatest in memory.
type Collector interface {
	// GetInstance is hva-collector's get_instance.
	GetInstance(ctx context.Context, id string) (map[string]any, error)
	// UpdateInstance is hva-collector's update_instance.
	UpdateInstance(ctx context.Context, id string, fields map[string]any) error
	// FinalizeInstance is hva-collector's finalize_instance: the
	// instance is terminated at the given time and its vifs released.
	FinalizeInstance(ctx context.Context, id string, at time.Time) error
	// GetVolume is sta-collector's get_volume.
	GetVolume(ctx context.Context, id string) (map[string]any, error)
	// UpdateVolume is sta-collector's update_volume.
	UpdateVolume(ctx context.Context, id string, fields map[string]any) error
	// GetBackupObject is sta-collector's get_backup_object: the row plus
	// its backup_storage and uri.
	GetBackupObject(ctx context.Context, id string) (map[string]any, error)
	// UpdateBackupObject is sta-collector's update_backup_object.
	UpdateBackupObject(ctx context.Context, id string, fields map[string]any) error
	// UpdateImage is hva-collector's update_image.
	UpdateImage(ctx context.Context, id string, fields map[string]any) error
}

// NICSource is implemented by collectors that answer hva-collector's
// get_nic, which attach_nic and detach_nic need to find a vif's MAC and
// instance.
type NICSource interface {
	GetNIC(ctx context.Context, vifID string) (map[string]any, error)
}

// Events publishes Wakame events (exchange isono.event, routing key
// "<event>.<node id>" over AMQP).
type Events interface {
	Publish(ctx context.Context, event string, args ...any) error
}
