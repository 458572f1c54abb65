package deploy_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/internal/testtls"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/bottest"
	"github.com/outhook/outhook/config"
)

// exampleFiles returns the files a configuration reads (tokens, URLs,
// the TLS pair) and the ones it writes (the audit log).
func exampleFiles(c config.Config) (reads, writes []string) {
	add := func(p string) {
		if p != "" {
			reads = append(reads, p)
		}
	}
	add(c.TLS.Cert)
	add(c.TLS.Key)
	add(c.Store.RedisURLFile)
	for _, w := range c.Webhooks {
		add(w.SecretFile)
		add(w.FollowUp.URLFile)
	}
	if f := c.Audit.File; f != "" && f != config.AuditOff {
		writes = append(writes, f)
	}
	if k := c.Store.Kind; (k == "" || k == config.StoreFile) && path.IsAbs(c.Store.Dir) {
		writes = append(writes, c.Store.Dir)
	}
	return reads, writes
}

func loadConfig(t *testing.T, file string) *config.File {
	t.Helper()
	f, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestUnitMatchesExample checks statically that deploy/outhook.service,
// outhook.example.yaml and docs/deploy.md name the same files.
func TestUnitMatchesExample(t *testing.T) {
	u := readUnit(t, unitFile)
	creds := u.credentials(t)
	example := loadConfig(t, exampleFile).Config
	reads, writes := exampleFiles(example)

	for _, key := range []string{"DynamicUser=yes", "ProtectSystem=strict"} {
		k, v, _ := strings.Cut(key, "=")
		if u.one(t, k) != v {
			t.Errorf("unit: got %s=%s; want %s: the story below assumes it", k, u.one(t, k), v)
		}
	}
	// The dynamic user can read no file of root's: everything the example
	// reads must be one of the unit's credentials, and each credential
	// must be used.
	used := map[string]bool{}
	for _, p := range reads {
		name := path.Base(p)
		switch {
		case path.Dir(p) != credentialsDir:
			t.Errorf("example reads %s, which the unit's dynamic user cannot: want a credential in %s", p, credentialsDir)
		case creds[name] == "":
			t.Errorf("example reads %s; want LoadCredential=%s:… in the unit", p, name)
		}
		used[name] = true
	}
	for name := range creds {
		if !used[name] {
			t.Errorf("unit loads credential %s; the example uses no %s/%s", name, credentialsDir, name)
		}
	}
	// ProtectSystem=strict: the service may write only below the
	// directories the unit creates for it.
	for _, p := range writes {
		if !slices.ContainsFunc(u.directories(), func(d string) bool { return p == d || strings.HasPrefix(p, d+"/") }) {
			t.Errorf("example writes %s; want it below one of the unit's LogsDirectory=/StateDirectory=… %q", p, u.directories())
		}
	}
	for _, env := range u["Environment"] {
		if strings.Contains(env, "OUTHOOK_") {
			t.Errorf("unit: Environment=%s overrides the file silently; want the setting in the file", env)
		}
	}
	for _, key := range []string{"Restart", "StartLimitBurst", "StartLimitIntervalSec"} {
		if len(u[key]) == 0 {
			t.Errorf("unit: no %s=; want a broken configuration to stop restarting", key)
		}
	}

	// docs/deploy.md names the same files as the unit.
	binary, conf := "", ""
	documented := map[string]string{}
	for _, f := range docFiles(t) {
		switch {
		case f.credential != "":
			documented[f.credential] = f.path
		case strings.HasSuffix(f.path, ".yaml"):
			conf = f.path
		default:
			binary = f.path
		}
	}
	if fmt.Sprint(documented) != fmt.Sprint(creds) {
		t.Errorf("docs/deploy.md's files are credentials %v; the unit loads %v", documented, creds)
	}
	if got, want := u.one(t, "ExecStartPre"), binary+" config check "+conf; got != want {
		t.Errorf("unit: got ExecStartPre=%s; want %s", got, want)
	}
	if got, want := u.one(t, "ExecStart"), binary+" serve --config "+conf; got != want {
		t.Errorf("unit: got ExecStart=%s; want %s", got, want)
	}
	doc, err := os.ReadFile(deployDoc)
	if err != nil {
		t.Fatal(err)
	}
	if hook := "--deploy-hook 'systemctl restart outhook'"; example.TLS.Cert != "" && !strings.Contains(string(doc), hook) {
		t.Errorf("docs/deploy.md does not say %s, and the unit's TLS credentials are copies made at start", hook)
	}
}

// TestDockerfile checks statically that the image bakes in no OUTHOOK_*
// variable, which would beat a mounted file's setting silently, and that
// its configuration reads and writes no file.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(dockerFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range dockerEnv.FindAllStringSubmatch(string(data), -1) {
		if strings.Contains(m[1], "OUTHOOK_") {
			t.Errorf("Dockerfile: ENV %s; want no OUTHOOK_* variable in the image", m[1])
		}
	}
	reads, writes := exampleFiles(loadConfig(t, containerFile).Config)
	if len(reads)+len(writes) > 0 {
		t.Errorf("%s names files %q %q; want variables and the main log: in the image, files are the operator's to mount",
			containerFile, reads, writes)
	}
	if _, err := os.Stat("../.dockerignore"); err != nil {
		t.Errorf("no .dockerignore: %v", err)
	}
}

// deployment is the systemd deployment written under a temporary root.
type deployment struct {
	root       string
	pre, start []string     // ExecStartPre and ExecStart arguments
	example    *config.File // as written under root
	cert       testtls.Cert
	files      []docFile
}

// at returns host path p under the root.
func (d *deployment) at(p string) string { return filepath.Join(d.root, filepath.FromSlash(p)) }

// newDeployment writes the files docs/deploy.md names for the unit, except
// omit, under a temporary root, with the example's paths rewritten to it
// (and its metrics listener on a free port), then does what systemd does
// before it starts the unit: copies each LoadCredential= source that
// exists to the credentials directory and creates the LogsDirectory= and
// friends, unless omit names the directive.
func newDeployment(t *testing.T, omit string) *deployment {
	t.Helper()
	u := readUnit(t, unitFile)
	d := &deployment{root: t.TempDir(), cert: testtls.New(t, "outhook deploy test"), files: docFiles(t)}
	followups := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(followups.Close)

	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	example := loadConfig(t, exampleFile).Config
	reads, writes := exampleFiles(example)
	rewritten := string(data)
	for _, p := range append(reads, writes...) {
		rewritten = strings.ReplaceAll(rewritten, p, d.at(p))
	}
	if l := example.Metrics.Listen; l != "" {
		rewritten = strings.ReplaceAll(rewritten, "listen: "+l, "listen: 127.0.0.1:0")
	}
	// What each credential holds, by the example's use of it.
	holds := map[string][]byte{path.Base(example.TLS.Cert): d.cert.CertPEM, path.Base(example.TLS.Key): d.cert.KeyPEM}
	for _, w := range example.Webhooks {
		holds[path.Base(w.SecretFile)] = []byte(bot.NewToken() + "\n")
		holds[path.Base(w.FollowUp.URLFile)] = []byte(followups.URL + "/webhookb2/test\n")
	}
	binary := strings.Fields(u.one(t, "ExecStart"))[0]
	for _, f := range d.files {
		var content []byte
		switch {
		case f.path == binary:
			continue // outhookBin
		case f.path == omit, omit == everything && !strings.HasSuffix(f.path, ".yaml"):
			continue
		case f.credential != "":
			content = holds[f.credential]
		case strings.HasSuffix(f.path, ".yaml"):
			content = []byte(rewritten)
		}
		if content == nil {
			t.Fatalf("docs/deploy.md names %s (%s): the test does not know what to write there", f.path, f.holds)
		}
		writeFile(t, d.at(f.path), content)
	}

	// systemd, at start.
	if err := os.MkdirAll(d.at(credentialsDir), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, src := range u.credentials(t) {
		if data, err := os.ReadFile(d.at(src)); err == nil {
			writeFile(t, d.at(credentialsDir+"/"+name), data)
		}
	}
	if omit != "LogsDirectory" && omit != everything {
		for _, dir := range u.directories() {
			if err := os.MkdirAll(d.at(dir), 0o750); err != nil {
				t.Fatal(err)
			}
		}
	}
	rootArgs := func(line string) []string {
		args := strings.Fields(line)[1:]
		for i, a := range args {
			if strings.HasPrefix(a, "/") {
				args[i] = d.at(a)
			}
		}
		return args
	}
	d.pre, d.start = rootArgs(u.one(t, "ExecStartPre")), rootArgs(u.one(t, "ExecStart"))
	if omit == "" {
		d.example = loadConfig(t, d.start[len(d.start)-1])
	}
	return d
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// everything, as newDeployment's omit, leaves out every file but the
// configuration, and the log directory.
const everything = "everything"

// environ is the environment the unit gives outhook: no OUTHOOK_* variable.
var environ = []string{"PATH=/usr/bin:/bin"}

// TestSystemdStartsAsShipped runs the unit's ExecStartPre= and ExecStart=
// with exactly the files docs/deploy.md names, posts a signed message over
// HTTPS to each webhook, and stops the server as systemd does.
func TestSystemdStartsAsShipped(t *testing.T) {
	d := newDeployment(t, "")
	if code, out := runOuthook(t, environ, d.pre...); code != 0 {
		t.Fatalf("ExecStartPre: got exit %d:\n%s", code, out)
	}
	var names []string
	for _, w := range d.example.Config.Webhooks {
		names = append(names, w.Name)
	}
	srv := startOuthook(t, environ, names, d.example.Config.Metrics.Listen != "",
		append(d.start, "--listen", "127.0.0.1:0", "--drain", "0s")...)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: d.cert.Pool, MinVersion: tls.VersionTLS12}}}
	defer client.CloseIdleConnections()

	var secrets []string
	for _, w := range d.example.Config.Webhooks {
		token, err := os.ReadFile(w.SecretFile)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, strings.TrimSpace(string(token)))
		url := "https://" + srv.webhookAddr(w.Name) + w.Path
		r, err := bottest.Post(client, url, strings.TrimSpace(string(token)), bottest.Message{Text: "ping"}.JSON())
		if err != nil {
			t.Fatalf("webhook %s: %v\n%s", w.Name, err, srv.logText())
		}
		if !strings.HasPrefix(r.Text, "pong") {
			t.Errorf("webhook %s: got %q; want pong", w.Name, r.Text)
		}
	}
	// /metrics answers on its own listener only.
	if m := d.example.Config.Metrics; m.Listen != "" {
		resp, err := client.Get("http://" + srv.metricsAddr() + m.Path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("metrics listener: got %s; want 200", resp.Status)
		}
		resp, err = client.Get("https://" + srv.webhookAddr(names[0]) + m.Path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("main listener %s: got %s; want 404", m.Path, resp.Status)
		}
	}
	srv.stop(t)

	audit, err := os.ReadFile(d.example.Config.Audit.File)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(audit), `"command":"ping"`); n != len(names) {
		t.Errorf("audit log: got %d ping events; want %d:\n%s", n, len(names), audit)
	}
	for _, s := range secrets {
		if strings.Contains(srv.logText()+string(audit), s) {
			t.Error("a token is in the log")
		}
	}
}

// TestSystemdMissingFile removes one file docs/deploy.md names at a time
// (and the unit's log directory) and requires the unit's ExecStartPre= to
// fail, naming what is missing.
func TestSystemdMissingFile(t *testing.T) {
	type tc struct{ omit, want string }
	var tests []tc
	binary := strings.Fields(readUnit(t, unitFile).one(t, "ExecStart"))[0]
	for _, f := range docFiles(t) {
		switch {
		case f.path == binary:
		case f.credential != "":
			tests = append(tests, tc{f.path, credentialsDir + "/" + f.credential})
		default:
			tests = append(tests, tc{f.path, f.path})
		}
	}
	tests = append(tests, tc{"LogsDirectory", "audit"})
	sort.Slice(tests, func(i, j int) bool { return tests[i].omit < tests[j].omit })
	t.Run("all at once", func(t *testing.T) {
		t.Parallel()
		d := newDeployment(t, everything)
		code, out := runOuthook(t, environ, d.pre...)
		key := loadConfig(t, exampleFile).Config.TLS.Key // the pair is one problem, named by its certificate
		for _, tt := range tests {
			if !strings.HasSuffix(tt.omit, ".yaml") && tt.want != key && !strings.Contains(out, tt.want) {
				t.Errorf("got exit %d:\n%s\nwant every missing file named in one run, %s too", code, out, tt.want)
			}
		}
	})
	for _, tt := range tests {
		t.Run(path.Base(tt.omit), func(t *testing.T) {
			t.Parallel()
			d := newDeployment(t, tt.omit)
			code, out := runOuthook(t, environ, d.pre...)
			if code == 0 || !strings.Contains(out, strings.TrimPrefix(d.at(tt.want), d.root+"/")) &&
				!strings.Contains(out, tt.want) {
				t.Errorf("without %s: got exit %d:\n%s\nwant a failure naming %s", tt.omit, code, out, tt.want)
			}
		})
	}
}

// containerEnv returns the variables docs/deploy.md names for the image,
// with values, except omit, and the configuration file's host path.
func containerEnv(t *testing.T, omit string) (env []string, tokens map[string]string) {
	t.Helper()
	followups := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(followups.Close)
	conf, err := filepath.Abs(containerFile)
	if err != nil {
		t.Fatal(err)
	}
	c := loadConfig(t, containerFile).Config
	value := map[string]string{"OUTHOOK_CONFIG": conf}
	tokens = map[string]string{}
	for _, w := range c.Webhooks {
		tokens[w.Name] = bot.NewToken()
		value[w.SecretEnv] = tokens[w.Name]
		if w.FollowUp.URLEnv != "" {
			value[w.FollowUp.URLEnv] = followups.URL + "/webhookb2/test"
		}
	}
	env = append(env, environ...)
	for _, v := range docVariables(t) {
		if value[v] == "" {
			t.Fatalf("docs/deploy.md names %s; %s does not use it", v, containerFile)
		}
		if v != omit {
			env = append(env, v+"="+value[v])
		}
	}
	return env, tokens
}

// TestContainerStartsAsShipped runs the image's command with its
// configuration and exactly the variables docs/deploy.md names, and posts
// to each webhook; without any one variable it must fail naming it.
func TestContainerStartsAsShipped(t *testing.T) {
	c := loadConfig(t, containerFile).Config
	env, tokens := containerEnv(t, "")
	if code, out := runOuthook(t, env, "config", "check", mustAbs(t, containerFile)); code != 0 {
		t.Fatalf("config check: got exit %d:\n%s", code, out)
	}
	var names []string
	for _, w := range c.Webhooks {
		names = append(names, w.Name)
	}
	// CMD ["serve"]; the port is the test's, through the flag that beats
	// the file.
	srv := startOuthook(t, env, names, false, "serve", "--listen", "127.0.0.1:0", "--drain", "0s")
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for _, w := range c.Webhooks {
		r, err := bottest.Post(client, "http://"+srv.webhookAddr(w.Name)+w.Path, tokens[w.Name], bottest.Message{Text: "ping"}.JSON())
		if err != nil {
			t.Fatalf("webhook %s: %v\n%s", w.Name, err, srv.logText())
		}
		if !strings.HasPrefix(r.Text, "pong") {
			t.Errorf("webhook %s: got %q; want pong", w.Name, r.Text)
		}
	}
	srv.stop(t)
	if n := strings.Count(srv.logText(), `"audit":true`); n < len(names) {
		t.Errorf("got %d audit events in the main log; want %d:\n%s", n, len(names), srv.logText())
	}

	for _, v := range docVariables(t) {
		if v == "OUTHOOK_CONFIG" {
			continue // serve without a file serves one webhook from $OUTHOOK_SECRET
		}
		t.Run("without "+v, func(t *testing.T) {
			t.Parallel()
			env, _ := containerEnv(t, v)
			code, out := runOuthook(t, env, "config", "check", mustAbs(t, containerFile))
			if code == 0 || !strings.Contains(out, v) {
				t.Errorf("got exit %d:\n%s\nwant a failure naming %s", code, out, v)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
