package rubymarshal

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"time"
)

// ClassName names the Ruby class a Go value stands for, for messages and
// comparisons: "nil", "true/false", "Integer", "Float", "String",
// "Symbol", "Time", "Array" or "Hash". It knows this package's values
// (Symbol, Binary, EncString, *Hash) and plain Go ones: any integer or
// float kind, a string kind (a string type whose name ends in "Symbol" is
// a Symbol, as Encode writes it), []byte, maps and slices. Anything else
// is named by its Go type.
func ClassName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "true/false"
	case time.Time:
		return "Time"
	case *big.Int:
		return "Integer"
	case Symbol:
		return "Symbol"
	case Binary, EncString:
		return "String"
	case *Hash:
		return "Hash"
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "Integer"
	case reflect.Float32, reflect.Float64:
		return "Float"
	case reflect.String:
		if strings.HasSuffix(rv.Type().Name(), "Symbol") {
			return "Symbol"
		}
		return "String"
	case reflect.Map:
		return "Hash"
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return "String"
		}
		return "Array"
	}
	return fmt.Sprintf("%T", v)
}
