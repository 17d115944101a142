package main

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/caarlos0/env/v11"
)

// parseEnv fills the struct v from the variables its `env` tags name, read through getenv
// (os.Getenv in production, a map in tests), with caarlos0/env: typed and strict. A value
// that does not parse is an error naming the variable, never a silent default:
// booleans take true/false, 1/0, yes/no, on/off (any case); whole numbers only digits.
// Surrounding spaces are ignored and an empty value means "not set".
func parseEnv(getenv func(string) string, v any) error {
	params, err := env.GetFieldParams(v)
	if err != nil {
		return err
	}
	vars := map[string]string{}
	for _, p := range params {
		if val := strings.TrimSpace(getenv(p.Key)); val != "" {
			vars[p.Key] = val
		}
	}
	err = env.ParseWithOptions(v, env.Options{Environment: vars, FuncMap: map[reflect.Type]env.ParserFunc{
		reflect.TypeOf(false): func(s string) (any, error) { return parseBool(s) },
		reflect.TypeOf(0): func(s string) (any, error) {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, errors.New("not a whole number")
			}
			return n, nil
		},
	}})
	if err == nil {
		return nil
	}
	// Name the variable (the library names the Go field) and its value.
	keys := envKeys(v)
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("configuration: %w", err)
	}
	var msgs []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			key := keys[pe.Name]
			msgs = append(msgs, fmt.Sprintf("%s=%q: %v", key, vars[key], pe.Err))
			continue
		}
		msgs = append(msgs, e.Error())
	}
	return fmt.Errorf("configuration: %s", strings.Join(msgs, "; "))
}

// envKeys maps the field names of the struct v points to to their variable names.
func envKeys(v any) map[string]string {
	out := map[string]string{}
	t := reflect.TypeOf(v).Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		if k, _, _ := strings.Cut(f.Tag.Get("env"), ","); k != "" {
			out[f.Name] = k
		}
	}
	return out
}

// parseBool reads the booleans people write in env files.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "y", "on":
		return true, nil
	case "false", "0", "no", "n", "off":
		return false, nil
	}
	return false, errors.New("not a boolean (use true/false, yes/no, on/off or 1/0)")
}

// envBool reads one boolean variable strictly, for components that read their own
// variables with getenv: an unparsable value is an error naming the variable.
func envBool(getenv func(string) string, key string, def bool) (bool, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return def, fmt.Errorf("configuration: %s=%q: %v", key, v, err)
	}
	return b, nil
}
