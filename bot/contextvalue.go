package bot

import "context"

// A *Context is itself a context.Context — that of Context() — so a
// handler hands c to anything that takes one:
//
//	req, err := http.NewRequestWithContext(c, http.MethodGet, url, nil)
var _ context.Context = (*Context)(nil)

// Done is the Done channel of Context().
func (c *Context) Done() <-chan struct{} { return c.ctx.Done() }

// Err is the Err of Context().
func (c *Context) Err() error { return c.ctx.Err() }

// Value is the Value of Context().
func (c *Context) Value(key any) any { return c.ctx.Value(key) }
