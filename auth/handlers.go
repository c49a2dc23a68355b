package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// KeyHandlers serve key management over HTTP. Route them behind
// Require(Admin):
//
//	v1.POST("/keys", kh.Create, auth.Require(auth.Admin))
//	v1.GET("/keys", kh.List, auth.Require(auth.Admin))
//	v1.DELETE("/keys/:id", kh.Revoke, auth.Require(auth.Admin))
type KeyHandlers struct {
	Store Store
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (h *KeyHandlers) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// CreateKeyRequest is the body of POST /v1/keys.
type CreateKeyRequest struct {
	Kind  Kind   `json:"kind"`
	Name  string `json:"name"`
	Scope Scope  `json:"scope"`
	// ExpiresAt, when set, must be in the future.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// CreatedKey is the answer to POST /v1/keys: the key, and its secret, which
// is shown this once and never again.
type CreatedKey struct {
	Key    *Key   `json:"key"`
	Secret string `json:"secret"`
}

// maxNameLength matches the api_keys schema.
const maxNameLength = 200

// Create answers POST /v1/keys with 201 and the new key's secret.
func (h *KeyHandlers) Create(c echo.Context) error {
	var req CreateKeyRequest
	dec := json.NewDecoder(c.Request().Body)
	// An unknown field may be a restriction misspelt; creating the key
	// without it would make it wider than meant.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return errInvalid("body", "want a JSON object {kind, name, scope, expires_at}: "+err.Error())
	}
	k, secret, err := h.newKey(req)
	if err != nil {
		return err
	}
	if err := h.Store.CreateKey(c.Request().Context(), k); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusCreated, CreatedKey{Key: k, Secret: secret.Reveal()})
}

func (h *KeyHandlers) newKey(req CreateKeyRequest) (*Key, Secret, error) {
	now := h.now()
	if !req.Kind.Valid() {
		return nil, "", errInvalid("kind", fmt.Sprintf("kind %q: one of admin, provider, search", req.Kind))
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > maxNameLength {
		return nil, "", errInvalid("name", fmt.Sprintf("a key needs a name of 1 to %d bytes", maxNameLength))
	}
	if !printable(req.Name) {
		return nil, "", errInvalid("name", "a key's name may not hold control characters")
	}
	var expires time.Time
	if req.ExpiresAt != nil {
		if !req.ExpiresAt.After(now) {
			return nil, "", errInvalid("expires_at", "is in the past")
		}
		expires = req.ExpiresAt.UTC()
	}
	return NewKey(req.Kind, req.Name, req.Scope, expires, now)
}

// List answers GET /v1/keys with every key, newest first; never a secret.
func (h *KeyHandlers) List(c echo.Context) error {
	keys, err := h.Store.ListKeys(c.Request().Context())
	if err != nil {
		return err
	}
	if keys == nil {
		keys = []*Key{}
	}
	return c.JSON(http.StatusOK, map[string]any{"keys": keys})
}

// Revoke answers DELETE /v1/keys/:id with the revoked key. Servers refuse
// it within one cache refresh (DefaultRefresh).
func (h *KeyHandlers) Revoke(c echo.Context) error {
	id := c.Param("id")
	if !ValidID(id) {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no key has id " + id, Param: "id"}
	}
	k, err := h.Store.RevokeKey(c.Request().Context(), id, h.now())
	if errors.Is(err, ErrKeyNotFound) {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no key has id " + id, Param: "id"}
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"key": k})
}
