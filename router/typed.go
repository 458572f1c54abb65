package router

import "fmt"

// Args returns the command's parsed arguments as the struct type T that
// its Command.Args declares, without a type assertion:
//
//	a := router.Args[rollArgs](c)
//
// It panics when T is not the declared type: a wiring mistake, caught by
// the first test that runs the command.
func Args[T any](c *Context) *T {
	a, ok := c.Parsed.(*T)
	if !ok {
		panic(fmt.Sprintf("router: command %q declares Args %T, not %T", c.Command.Path(), c.Parsed, new(T)))
	}
	return a
}

// UsageErrorf returns a *UsageError for the running command: what the
// user reads names the problem, shows the usage line and points to help,
// as the router's own parse errors do. Use it for rules the tags cannot
// state.
//
//	return c.UsageErrorf("count must be from 1 to 20, not %d", a.Count)
func (c *Context) UsageErrorf(format string, args ...any) error {
	return &UsageError{Command: c.Command, Err: fmt.Errorf(format, args...)}
}
