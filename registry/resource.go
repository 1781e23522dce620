package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
)

// resource is a collection of dcmgr's Web API, named by its path
// ("host_nodes"), whose records decode into T. Every per-resource method of
// Client goes through it.
type resource[T any] string

// The collections Client reads and writes.
const (
	hostNodes      resource[HostNode]      = "host_nodes"
	backupStorages resource[BackupStorage] = "backup_storages"
	backupObjects  resource[BackupObject]  = "backup_objects"
	images         resource[Image]         = "images"
)

// get reads the record id.
func (r resource[T]) get(ctx context.Context, c *Client, id string) (T, error) {
	return r.send(ctx, c, http.MethodGet, r.idPath(id), nil)
}

// create posts a new record with the form of fields (see formValues).
func (r resource[T]) create(ctx context.Context, c *Client, fields any) (T, error) {
	return r.send(ctx, c, http.MethodPost, string(r), formValues(fields))
}

// update puts the form of fields (see formValues) to the record id.
func (r resource[T]) update(ctx context.Context, c *Client, id string, fields any) (T, error) {
	return r.send(ctx, c, http.MethodPut, r.idPath(id), formValues(fields))
}

// remove deletes the record id, discarding the answer.
func (r resource[T]) remove(ctx context.Context, c *Client, id string) error {
	return c.do(ctx, http.MethodDelete, r.idPath(id), nil, nil)
}

func (r resource[T]) send(ctx context.Context, c *Client, method, path string, form url.Values) (T, error) {
	var v T
	return v, c.do(ctx, method, path, form, &v)
}

// idPath is the escaped path of the record id.
func (r resource[T]) idPath(id string) string { return string(r) + "/" + url.PathEscape(id) }

// formValues encodes a struct of fields as the form its `form:"key"` tags
// name: a string field is sent when it is not empty, a pointer field when it
// is not nil (its value, even "" or 0); untagged fields are not sent.
func formValues(fields any) url.Values {
	v := url.Values{}
	rv := reflect.ValueOf(fields)
	rt := rv.Type()
	for i := range rt.NumField() {
		key := rt.Field(i).Tag.Get("form")
		f := rv.Field(i)
		switch {
		case key == "":
		case f.Kind() == reflect.String && f.String() != "":
			v.Set(key, f.String())
		case f.Kind() == reflect.Pointer && !f.IsNil():
			v.Set(key, fmt.Sprint(f.Elem().Interface()))
		}
	}
	return v
}
