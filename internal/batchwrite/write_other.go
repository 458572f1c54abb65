//go:build !unix

package batchwrite

import "net"

const supported = false

type rawWrite struct{}

func wrap(c net.Conn, _ *queue) net.Conn { return c }

func (c *conn) tryWrite(b []byte) (int, error) { return c.Conn.Write(b) }
