package catalog

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on a single field, so that a malformed file cannot make a row huge.
const (
	maxFieldBytes = 64 << 10
	maxListItems  = 200
)

// FieldError names the place of a bad value: the file, the line (1-based,
// counting the header) and the column.
type FieldError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s line %d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s line %d, field %q: %v", e.File, e.Line, e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// row gives typed access to one CSV record and keeps the first error, so a
// parse function reads every field and checks once at the end.
type row struct {
	file   string
	line   int
	index  map[string]int
	record []string
	err    error
}

func (r *row) fail(field string, format string, args ...any) {
	if r.err == nil {
		r.err = &FieldError{File: r.file, Line: r.line, Field: field, Err: fmt.Errorf(format, args...)}
	}
}

// raw returns the trimmed value of a column, "" when the column is absent.
func (r *row) raw(field string) string {
	i, ok := r.index[field]
	if !ok || i >= len(r.record) {
		return ""
	}
	v := strings.TrimSpace(r.record[i])
	if len(v) > maxFieldBytes {
		r.fail(field, "value is %d bytes, more than the %d allowed", len(v), maxFieldBytes)
		return ""
	}
	// PostgreSQL's text holds neither: caught here, the error names the
	// line and field; caught by COPY, it would not (found by FuzzTable).
	if !utf8.ValidString(v) {
		r.fail(field, "%q is not valid UTF-8 (catalogue files are UTF-8)", v)
		return ""
	}
	if strings.IndexByte(v, 0) >= 0 {
		r.fail(field, "%q contains a NUL byte", v)
		return ""
	}
	return v
}

func (r *row) text(field string) string { return r.raw(field) }

func (r *row) required(field string) string {
	v := r.raw(field)
	if v == "" {
		r.fail(field, "is required")
	}
	return v
}

func (r *row) id(field string) int64 {
	v := r.required(field)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		r.fail(field, "%q is not a positive integer id", v)
	}
	return n
}

func (r *row) float(field string, lo, hi float64) *float64 {
	v := r.raw(field)
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		r.fail(field, "%q is not a number", v)
		return nil
	}
	if f < lo || f > hi {
		r.fail(field, "%v is out of range [%v, %v]", f, lo, hi)
		return nil
	}
	return &f
}

func (r *row) int(field string) *int {
	v := r.raw(field)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		r.fail(field, "%q is not a non-negative integer", v)
		return nil
	}
	return &n
}

func (r *row) list(field string) []string {
	v := r.raw(field)
	if v == "" {
		return nil
	}
	parts := strings.Split(v, "|")
	if len(parts) > maxListItems {
		r.fail(field, "has %d items, more than the %d allowed", len(parts), maxListItems)
		return nil
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var (
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
	currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)
	kindSlug     = regexp.MustCompile(`^[a-z][a-z_]*$`)
)

func (r *row) match(field string, re *regexp.Regexp, what string, required bool) string {
	v := r.raw(field)
	if v == "" {
		if required {
			r.fail(field, "is required")
		}
		return ""
	}
	if !re.MatchString(v) {
		r.fail(field, "%q is not %s", v, what)
	}
	return v
}

func (r *row) date(field string) time.Time {
	v := r.required(field)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		r.fail(field, "%q is not a date (YYYY-MM-DD)", v)
	}
	return t
}
