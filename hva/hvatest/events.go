package hvatest

import (
	"context"
	"fmt"
	"sync"

	"github.com/esxi-hva/esxi-hva/hva"
)

// Event is one published event.
type Event struct {
	Name string
	Args []any
}

// String renders the event as "name(arg, ...)".
func (e Event) String() string {
	s := e.Name + "("
	for i, a := range e.Args {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(a)
	}
	return s + ")"
}

// Events records published events; it implements hva.Events and is safe
// for concurrent use.
type Events struct {
	mu     sync.Mutex
	events []Event
}

var _ hva.Events = (*Events)(nil)

// Publish implements hva.Events.
func (e *Events) Publish(_ context.Context, name string, args ...any) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, Event{Name: name, Args: append([]any(nil), args...)})
	return nil
}

// All returns the events so far, in order.
func (e *Events) All() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.events...)
}

// Strings returns the events as "name(args)" strings, in order; with
// arg given, only events whose first argument is arg.
func (e *Events) Strings(arg ...string) []string {
	var out []string
	for _, ev := range e.All() {
		if len(arg) > 0 && (len(ev.Args) == 0 || fmt.Sprint(ev.Args[0]) != arg[0]) {
			continue
		}
		out = append(out, ev.String())
	}
	return out
}

// Names returns the event names, in order.
func (e *Events) Names() []string {
	var out []string
	for _, ev := range e.All() {
		out = append(out, ev.Name)
	}
	return out
}

// Count returns how many events named name were published.
func (e *Events) Count(name string) int {
	n := 0
	for _, ev := range e.All() {
		if ev.Name == name {
			n++
		}
	}
	return n
}

// Reset forgets the events.
func (e *Events) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = nil
}
