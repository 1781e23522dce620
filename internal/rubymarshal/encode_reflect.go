package rubymarshal

import (
	"fmt"
	"reflect"
	"slices"
)

// reflectValue handles named scalar types, other slices and maps with
// string keys.
func (e *encoder) reflectValue(v any) error {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		if rv.Type().Name() == "Symbol" {
			e.symbol(rv.String())
		} else {
			e.string(rv.String(), "UTF-8")
		}
		return nil
	case reflect.Bool:
		return e.value(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.integer(rv.Int())
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uinteger(rv.Uint())
		return nil
	case reflect.Float32, reflect.Float64:
		e.float(rv.Float())
		return nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			e.string(string(rv.Bytes()), "ASCII-8BIT")
			return nil
		}
		if err := e.enter(v); err != nil {
			return err
		}
		defer e.leave()
		e.buf = append(e.buf, tArray)
		e.buf = appendLong(e.buf, int64(rv.Len()))
		for i := 0; i < rv.Len(); i++ {
			if err := e.value(rv.Index(i).Interface()); err != nil {
				return within(err, func() string { return fmt.Sprintf("[%d]", i) })
			}
		}
		return nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		keys := make([]string, 0, rv.Len())
		vals := make(map[string]reflect.Value, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			keys = append(keys, k)
			vals[k] = iter.Value()
		}
		slices.Sort(keys)
		if err := e.enter(v); err != nil {
			return err
		}
		defer e.leave()
		e.buf = append(e.buf, tHash)
		e.buf = appendLong(e.buf, int64(len(keys)))
		for _, k := range keys {
			e.symbol(k)
			if err := e.value(vals[k].Interface()); err != nil {
				return within(err, func() string { return "[:" + k + "]" })
			}
		}
		return nil
	case reflect.Pointer:
		if rv.IsNil() {
			e.buf = append(e.buf, tNil)
			return nil
		}
	}
	return e.unsupported(v)
}
