package auth

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Error is a refusal a client can act on: a status, a stable code for
// programs, a message for people and, when one is at fault, the parameter.
// The API's error handler maps it to its usual body,
// {"error": {"code", "message", "param"}}; Unwrap also offers it as an
// *echo.HTTPError, so a handler that knows only Echo's errors still answers
// with the right status and message.
type Error struct {
	Status  int
	Code    string
	Message string
	Param   string
}

// Error returns the message, which is safe to show a client.
func (e *Error) Error() string { return e.Message }

// Unwrap presents the error as Echo's, for error handlers that know no other.
func (e *Error) Unwrap() error { return &echo.HTTPError{Code: e.Status, Message: e.Message} }

// Error codes, beside the API's own.
const (
	CodeUnauthorized    = "unauthorized"
	CodeForbidden       = "forbidden"
	CodeOriginForbidden = "origin_not_allowed"
	CodeRateLimited     = "rate_limited"
	CodeInvalid         = "invalid_parameter"
	CodeNotFound        = "not_found"
	// CodeKeysUnavailable answers a request with a key the server cannot
	// check yet: it has not read the keys from its database since it
	// started (503, with Retry-After: RetryAfterKeys seconds).
	CodeKeysUnavailable = "keys_unavailable"
)

// RetryAfterKeys is the Retry-After of a keys_unavailable answer: the
// database is retried every second or so.
const RetryAfterKeys = "5"

var errKeysUnavailable = &Error{Status: http.StatusServiceUnavailable, Code: CodeKeysUnavailable,
	Message: "API keys cannot be checked yet: the server has not reached its database since it started; retry shortly (searching without a key works if the server allows it)"}

func errUnauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: msg}
}

func errForbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: msg}
}

func errInvalid(param, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Message: msg, Param: param}
}
