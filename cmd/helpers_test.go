package cmd

import (
	"net/http"
	"net/http/httptest"
)

// newRecorder serves one GET of path from srv's Echo app.
func newRecorder(srv *server, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	srv.echo.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}
