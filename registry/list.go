package registry

import (
	"context"
	"iter"
	"net/url"
	"strconv"
)

// ListOptions selects a page and filters a list. Filter keys are the API's
// query parameters: host nodes take node_id, display_name, arch,
// hypervisor, cpu_cores, memory_size, status (online|offline) and id (a UUID
// prefix); backup objects take state, account_id, display_name,
// backup_storage_id, service_type; images take state
// (alive|alive_with_deleted|available|deleted) and service_type.
type ListOptions struct {
	// Start is the offset of the first record (0 by default).
	Start int
	// Limit is the page size; 0 lets dcmgr choose (250).
	Limit int
	// SortBy is "column", "column.asc" or "column.desc" (default id.desc).
	SortBy string
	Filter map[string]string
}

func (o ListOptions) values() url.Values {
	v := url.Values{}
	for k, val := range o.Filter {
		v.Set(k, val)
	}
	if o.Start > 0 {
		v.Set("start", strconv.Itoa(o.Start))
	}
	if o.Limit > 0 {
		v.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.SortBy != "" {
		v.Set("sort_by", o.SortBy)
	}
	return v
}

// page reads one page of the collection.
func (r resource[T]) page(ctx context.Context, c *Client, o ListOptions) (Page[T], error) {
	var pages []Page[T]
	if err := c.do(ctx, "GET", string(r), o.values(), &pages); err != nil {
		return Page[T]{}, err
	}
	if len(pages) == 0 {
		return Page[T]{Start: o.Start, Limit: o.Limit}, nil
	}
	return pages[0], nil
}

// all yields every record from o.Start on, reading page after page until
// total is reached or a page comes back empty. An error is yielded once,
// last.
func (r resource[T]) all(ctx context.Context, c *Client, o ListOptions) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			p, err := r.page(ctx, c, o)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, v := range p.Results {
				if !yield(v, nil) {
					return
				}
			}
			o.Start += len(p.Results)
			if len(p.Results) == 0 || o.Start >= p.Total {
				return
			}
		}
	}
}

// collect drains an iterator into a slice.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
