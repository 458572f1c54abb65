// Package config is the model of an outhook configuration file and its
// validation: the listener, TLS, logs, metrics, the shared store, and the
// outgoing webhooks a process serves, each with its own path, tokens,
// plugins, commands, follow-up and access settings.
//
// # Format
//
// The file is YAML, read with github.com/goccy/go-yaml. YAML was chosen
// because it is what operators of Kubernetes, Prometheus and systemd-era
// tooling already write, it has comments, and nested lists of webhooks and
// access rules read well in it. goccy/go-yaml was chosen over
// gopkg.in/yaml.v3 (archived, unmaintained) because it is actively kept,
// has no cgo, rejects unknown fields and duplicate keys, decodes
// time.Duration from "4s", and reports every error with a line and
// column, which "outhook config check" prints. TOML would have served too;
// its deeply nested arrays of tables (webhooks → access → rules) read worse.
//
// # Secrets
//
// A configuration file never holds a secret. Security tokens, follow-up
// URLs and the Redis URL are named by an environment variable (secret_env,
// url_env) or a file (secret_file, url_file), and read with ReadSecrets at
// start-up. A literal "secret:" key is refused with an explanation, and no
// error or String method of this package ever prints a secret's value.
//
// # Precedence
//
// The command line (package cmd) applies flags over environment variables
// over this file over built-in defaults. This package only reads and checks
// the file; it knows nothing of flags.
//
// See docs/config.md for the reference and outhook.example.yaml for a
// commented example.
package config
