package console

import (
	"embed"
	"io/fs"
	"net/http"
)

// assets holds the page and the libraries it uses; see assets/README.md
// for where each vendored file comes from.
//
//go:embed assets
var assets embed.FS

// assetHandler serves the embedded assets under /assets/.
func assetHandler() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic("console: " + err.Error()) // cannot happen: the directory is embedded
	}
	return http.StripPrefix("/assets/", http.FileServerFS(sub))
}

// page serves the console's page.
func (c *Console) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; connect-src 'self'")
	http.ServeFileFS(w, r, assets, "assets/index.html")
}
