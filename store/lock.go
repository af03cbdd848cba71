package store

import (
	"context"
	"hash/fnv"
	"sync"
)

var localLocks sync.Map // name -> *sync.Mutex, for SQLite (one node)

// TryLock takes a named lock for jobs that must run once across nodes (the
// deadline scheduler, the appointment monitor, CRL generation): a PostgreSQL
// advisory lock held on one connection, or a process-local lock on SQLite.
// It reports false when another runner holds it. Call unlock when done.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if s.dialect != Postgres {
		m, _ := localLocks.LoadOrStore(s.db.DriverName()+":"+name, &sync.Mutex{})
		mu := m.(*sync.Mutex)
		if !mu.TryLock() {
			return nil, false, nil
		}
		return mu.Unlock, true, nil
	}
	h := fnv.New64a()
	h.Write([]byte("sello/" + name))
	key := int64(h.Sum64())
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, false, dbErr(err, "lock")
	}
	var got bool
	if err := conn.GetContext(ctx, &got, "SELECT pg_try_advisory_lock($1)", key); err != nil {
		conn.Close()
		return nil, false, dbErr(err, "lock")
	}
	if !got {
		conn.Close()
		return nil, false, nil
	}
	return func() {
		conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
	}, true, nil
}
