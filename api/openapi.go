package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OpenAPI is the OpenAPI 3.1 description of this API (openapi.json), served
// at /openapi.json. The API tests hold the server to it: every request they
// make and every response they get is validated against it, and a route in
// New that it does not describe fails them (contract_test.go).
//
//go:embed openapi.json
var OpenAPI []byte

func openAPIDocument(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=300")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, OpenAPI)
}
