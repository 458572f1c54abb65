package deploy_test

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The shipped files this package checks, relative to deploy/.
const (
	unitFile      = "outhook.service"
	dockerFile    = "Dockerfile"
	exampleFile   = "../outhook.example.yaml"
	containerFile = "outhook.container.yaml"
	deployDoc     = "../docs/deploy.md"
)

// credentialsDir is where systemd puts the unit's LoadCredential= copies.
const credentialsDir = "/run/credentials/outhook.service"

// unit is the part of a systemd unit file these tests read: every
// Key=value line, by key, in order, continuation lines joined.
type unit map[string][]string

func readUnit(t *testing.T, path string) unit {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u := unit{}
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(string(data), "\\\n", " ")))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: line %q is not Key=value", path, line)
		}
		u[strings.TrimSpace(k)] = append(u[strings.TrimSpace(k)], strings.TrimSpace(v))
	}
	return u
}

// one returns the only value of key, failing the test unless there is
// exactly one.
func (u unit) one(t *testing.T, key string) string {
	t.Helper()
	if len(u[key]) != 1 {
		t.Fatalf("unit: got %d %s= lines; want 1", len(u[key]), key)
	}
	return u[key][0]
}

// credentials returns the unit's LoadCredential= lines: name → source.
func (u unit) credentials(t *testing.T) map[string]string {
	t.Helper()
	creds := map[string]string{}
	for _, v := range u["LoadCredential"] {
		name, src, ok := strings.Cut(v, ":")
		if !ok || name == "" || src == "" {
			t.Fatalf("unit: LoadCredential=%s: want NAME:/source/path", v)
		}
		creds[name] = src
	}
	return creds
}

// directories returns the directories below /var/log, /var/lib, /var/cache
// and /run that the unit has systemd create for (and give to) its user.
func (u unit) directories() []string {
	var dirs []string
	for key, base := range map[string]string{
		"LogsDirectory": "/var/log/", "StateDirectory": "/var/lib/",
		"CacheDirectory": "/var/cache/", "RuntimeDirectory": "/run/",
	} {
		for _, v := range u[key] {
			for d := range strings.FieldsSeq(v) {
				dirs = append(dirs, base+d)
			}
		}
	}
	return dirs
}

// docTable returns the rows of the table in doc whose header row starts
// with header, each row's cells without their backquotes.
func docTable(t *testing.T, doc, header string) [][]string {
	t.Helper()
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	in := false
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, header):
			in = true
		case in && strings.HasPrefix(line, "|---"):
		case in && strings.HasPrefix(line, "|"):
			var cells []string
			for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
				cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
			}
			rows = append(rows, cells)
		case in:
			if len(rows) == 0 {
				t.Fatalf("%s: table %q has no rows", doc, header)
			}
			return rows
		}
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no table starting %q", doc, header)
	}
	return rows
}

// docFile is a file docs/deploy.md tells the operator to create for the
// systemd unit.
type docFile struct {
	path       string // on the host
	credential string // the unit's LoadCredential= name, or ""
	holds      string
}

func docFiles(t *testing.T) []docFile {
	t.Helper()
	var files []docFile
	for _, r := range docTable(t, deployDoc, "| file | credential | holds |") {
		if len(r) != 3 {
			t.Fatalf("%s: row %q: want 3 cells", deployDoc, r)
		}
		files = append(files, docFile{path: r[0], credential: r[1], holds: r[2]})
	}
	return files
}

// docVariables returns the environment variables docs/deploy.md names for
// the container image.
func docVariables(t *testing.T) []string {
	t.Helper()
	var vars []string
	for _, r := range docTable(t, deployDoc, "| variable | holds |") {
		vars = append(vars, r[0])
	}
	return vars
}

// dockerEnv matches Dockerfile instructions that set environment variables.
var dockerEnv = regexp.MustCompile(`(?im)^\s*ENV\s+(.*)$`)
