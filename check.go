package outhook

import (
	"context"
	"errors"
	"slices"

	"github.com/outhook/outhook/config"
)

// Check is serve's start-up without the listening: it validates the file
// (Validate with the plugins built into this binary), then builds the App
// from it exactly as New does for serve — tokens and secrets read, files
// opened, the TLS pair loaded, plugins provisioned with their settings,
// access rules compiled — and releases it. Nothing it passes can stop
// serve with the same environment. It returns config.Errors holding every
// problem, located in the file where it can be.
func Check(f *config.File, opts Options) error {
	if err := f.Validate(Catalog()); err != nil {
		return err
	}
	a, err := New(f.Config, opts)
	if err == nil {
		return a.Shutdown(context.Background())
	}
	return Locate(err, f)
}

// Locate turns what New returned for the configuration in f into
// config.Errors: rules that do not compile are located in the file
// (config.File.CheckAccess), every other problem is named with the file.
func Locate(err error, f *config.File) error {
	if err == nil {
		return nil
	}
	var errs config.Errors
	for _, e := range flatten(err) {
		var re *RulesError
		if errors.As(e, &re) {
			i := slices.IndexFunc(f.Config.Webhooks, func(w config.Webhook) bool { return w.Name == re.Webhook })
			var located config.Errors
			if i >= 0 && errors.As(f.CheckAccess(i, re.Known), &located) {
				errs = append(errs, located...)
				continue
			}
		}
		errs = append(errs, config.Problem{File: f.Name, Message: e.Error()})
	}
	return errs
}

// flatten returns the errors joined in err, one level of errors.Join at a
// time, down to the ones that are not joins.
func flatten(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		if e != nil {
			out = append(out, flatten(e)...)
		}
	}
	return out
}
