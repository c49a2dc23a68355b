package api

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/careatlas/careatlas/search"
	"github.com/labstack/echo/v4"
)

// Parameters are read, checked and normalised once, by search.ParseRequest
// over the table of filters in package search; this file only gathers them
// from where a client may put them.

// errUnsupportedMedia refuses a body the API cannot read.
var errUnsupportedMedia = echo.NewHTTPError(http.StatusUnsupportedMediaType,
	"send parameters in the query string, as a form (application/x-www-form-urlencoded) or as a JSON object (application/json)")

// bodyParams returns a POST's parameters: the query string's, and those of
// a form or JSON object body. Any other body is refused with 415.
func bodyParams(c echo.Context) (url.Values, error) {
	req := c.Request()
	v := url.Values{}
	for k, vs := range c.QueryParams() {
		v[k] = append(v[k], vs...)
	}
	ct := req.Header.Get(echo.HeaderContentType)
	if ct == "" && (req.ContentLength == 0 || req.Body == nil || req.Body == http.NoBody) {
		return v, nil
	}
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, errUnsupportedMedia
	}
	switch media {
	case echo.MIMEApplicationForm, echo.MIMEMultipartForm:
		form, err := c.FormParams()
		if err != nil {
			return nil, invalid("body", "is not a form: %v", err)
		}
		// FormParams holds the query string's too.
		return form, nil
	case echo.MIMEApplicationJSON:
		var body map[string]any
		dec := json.NewDecoder(req.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			return nil, invalid("body", "is not a JSON object: %v", err)
		}
		if dec.More() {
			return nil, invalid("body", "holds more than one JSON value")
		}
		for k, val := range body {
			name := k
			if name == "" {
				name = "(unnamed)" // as search.UnknownParameter names it
			}
			vs, err := jsonValues(name, val)
			if err != nil {
				return nil, err
			}
			v[k] = append(v[k], vs...)
		}
		return v, nil
	}
	return nil, errUnsupportedMedia
}

// jsonValues turns a JSON parameter (a string, number or boolean, or an
// array of them) into the strings a query string would give.
func jsonValues(name string, val any) ([]string, error) {
	switch x := val.(type) {
	case string:
		return []string{x}, nil
	case json.Number:
		return []string{x.String()}, nil
	case bool:
		return []string{strconv.FormatBool(x)}, nil
	case []any:
		var out []string
		for _, e := range x {
			if _, nested := e.([]any); nested {
				return nil, invalid(name, "is a nested array; give a list of values")
			}
			vs, err := jsonValues(name, e)
			if err != nil {
				return nil, err
			}
			out = append(out, vs...)
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, invalid(name, "must be a string, a number, a boolean or a list of them")
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, invalid("id", "%q is not a valid id", s)
	}
	return id, nil
}

// intParam reads a whole number from lo to hi; absent is def.
func intParam(v url.Values, name string, lo, hi, def int) (int, error) {
	vs := v[name]
	if len(vs) == 0 {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
	if len(vs) > 1 || err != nil || n < lo || n > hi {
		return 0, invalid(name, "must be a whole number from %d to %d, given once", lo, hi)
	}
	return n, nil
}

func invalid(param, format string, args ...any) error {
	return &search.Error{Code: search.Invalid, Param: param, Message: fmt.Sprintf(format, args...)}
}
