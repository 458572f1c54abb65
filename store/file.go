package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SweepInterval is how often a File store deletes expired values in the
// background. Expired values are absent to every method at once; the
// sweep only gives their space back.
const SweepInterval = time.Minute

var bucket = []byte("outhook")

// File is a Store in one file on disk (bbolt, a B+tree with
// transactions): the default, for a single replica that keeps its state
// across restarts with no server to run. Only one process may open the
// file at a time. Create it with OpenFile.
type File struct {
	db   *bolt.DB
	now  func() time.Time
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

var _ Store = (*File)(nil)

// OpenFile opens the store in the file at path, creating it (mode 0600)
// and its directory (0700) when missing. It fails within a second when
// another process holds the file. Close it when done: that stops its
// background sweep.
func OpenFile(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: creating the data directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: preparing %s: %w", path, err)
	}
	f := &File{db: db, now: time.Now, stop: make(chan struct{}), done: make(chan struct{})}
	go f.sweepLoop()
	return f, nil
}

// A value on disk is 8 bytes of expiry (Unix nanoseconds, big endian, 0
// for never) followed by the value.
func (f *File) encode(value []byte, ttl time.Duration) []byte {
	out := make([]byte, 8, 8+len(value))
	if ttl > 0 {
		binary.BigEndian.PutUint64(out, uint64(f.now().Add(ttl).UnixNano()))
	}
	return append(out, value...)
}

// decode returns the value in raw, or false when it has expired.
func (f *File) decode(raw []byte) ([]byte, bool) {
	if len(raw) < 8 {
		return nil, false
	}
	if exp := binary.BigEndian.Uint64(raw); exp != 0 && f.now().UnixNano() >= int64(exp) {
		return nil, false
	}
	return bytes.Clone(raw[8:]), true
}

func fileErr(op string, err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// Get implements Store.
func (f *File) Get(_ context.Context, key string) (value []byte, ok bool, err error) {
	err = f.db.View(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucket).Get([]byte(key)); raw != nil {
			value, ok = f.decode(raw)
		}
		return nil
	})
	return value, ok, fileErr("get", err)
}

// Put implements Store.
func (f *File) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	return fileErr("put", f.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Put([]byte(key), f.encode(value, ttl))
	}))
}

// Delete implements Store.
func (f *File) Delete(_ context.Context, key string) error {
	return fileErr("delete", f.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Delete([]byte(key))
	}))
}

// List implements Store.
func (f *File) List(_ context.Context, prefix string) ([]Entry, error) {
	var out []Entry
	err := f.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		p := []byte(prefix)
		for k, raw := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, raw = c.Next() {
			if v, ok := f.decode(raw); ok {
				out = append(out, Entry{Key: string(k), Value: v})
			}
		}
		return nil
	})
	return out, fileErr("list", err)
}

// CompareAndSwap implements Store.
func (f *File) CompareAndSwap(_ context.Context, key string, old, new []byte, ttl time.Duration) (swapped bool, err error) {
	err = f.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		var cur []byte
		ok := false
		if raw := b.Get([]byte(key)); raw != nil {
			cur, ok = f.decode(raw)
		}
		if old == nil && ok || old != nil && (!ok || !bytes.Equal(cur, old)) {
			return nil
		}
		swapped = true
		if new == nil {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), f.encode(new, ttl))
	})
	if err != nil {
		swapped = false
	}
	return swapped, fileErr("compare and swap", err)
}

// Sweep deletes the expired values now. It runs by itself every
// SweepInterval.
func (f *File) Sweep() error {
	return fileErr("sweep", f.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		for k, raw := c.First(); k != nil; k, raw = c.Next() {
			if _, ok := f.decode(raw); !ok {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

func (f *File) sweepLoop() {
	defer close(f.done)
	t := time.NewTicker(SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
			_ = f.Sweep()
		}
	}
}

// Close stops the sweep and closes the file. Later calls do nothing.
func (f *File) Close() error {
	var err error
	f.once.Do(func() {
		close(f.stop)
		<-f.done
		err = f.db.Close()
	})
	return err
}
