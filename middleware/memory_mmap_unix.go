//go:build unix

package middleware

import "syscall"

// offHeap returns n zeroed bytes outside the Go heap, and a func that
// frees them. The pages cost memory only once touched, and the garbage
// collector neither scans them nor counts them when it paces itself: a
// full MemoryStore does not make the process's heap grow twice its size.
// It falls back to the heap when the system refuses.
func offHeap(n int) ([]byte, func()) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n), func() {}
	}
	return b, func() { syscall.Munmap(b) }
}
