package search

import "fmt"

// ErrorCode classifies errors for callers that map them to a status (an HTTP
// server, a CLI).
type ErrorCode string

// Error codes.
const (
	Invalid  ErrorCode = "invalid_parameter"
	NotFound ErrorCode = "not_found"
)

// Error is an error a client caused and can fix: a bad parameter or an
// unknown id. Anything else is an internal error.
type Error struct {
	Code    ErrorCode
	Param   string // the parameter at fault, when there is one
	Message string
}

func (e *Error) Error() string {
	if e.Param != "" {
		return e.Param + ": " + e.Message
	}
	return e.Message
}

func invalid(param, format string, args ...any) *Error {
	return &Error{Code: Invalid, Param: param, Message: sprintf(format, args...)}
}
func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// UnknownParameter is the error for a parameter a request may not hold. A
// parameter with no name ("?=1") is named "(unnamed)", so that the error
// still says which parameter is at fault.
func UnknownParameter(name string) *Error {
	if name == "" {
		name = "(unnamed)"
	}
	return invalid(name, "unknown parameter")
}
