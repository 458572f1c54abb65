package console

import (
	"io/fs"
	"strings"
	"testing"
)

// TestAssets: the embedded assets stay small, and every vendored file has
// its licence beside it and a line in assets/README.md.
func TestAssets(t *testing.T) {
	const budget = 1536 << 10
	total := 0
	readme, err := fs.ReadFile(assets, "assets/README.md")
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(assets, "assets", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += int(info.Size())
		name, ok := strings.CutPrefix(path, "assets/vendor/")
		if !ok || !strings.HasSuffix(name, ".min.js") {
			return nil
		}
		licence := "assets/vendor/" + strings.TrimSuffix(name, ".min.js") + ".LICENSE"
		if _, err := fs.Stat(assets, licence); err != nil {
			t.Errorf("%s has no licence beside it: %v", path, err)
		}
		if !strings.Contains(string(readme), "`vendor/"+name+"`") {
			t.Errorf("assets/README.md does not say where %s comes from", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > budget {
		t.Errorf("got %d bytes of assets; want at most %d", total, budget)
	}
}
