//go:build unix

package batchwrite

// SmallReceiveBuffer is smallReceiveBuffer, for the package's external
// tests.
var SmallReceiveBuffer = smallReceiveBuffer
