package store

import (
	"context"
	"fmt"
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
		// One lock per database handle: a SQLite database has one node.
		m, _ := localLocks.LoadOrStore(fmt.Sprintf("%p:%s", s.db, name), &sync.Mutex{})
		mu := m.(*sync.Mutex)
		if !mu.TryLock() {
			return nil, false, nil
		}
		return mu.Unlock, true, nil
	}
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, false, dbErr(err, "lock")
	}
	// Advisory locks are database-wide: the key names the schema too, so
	// two deployments (or two test runs) in one database, each in its own
	// schema, do not take each other's locks.
	var schema string
	if err := conn.GetContext(ctx, &schema, "SELECT current_schema()"); err != nil {
		conn.Close()
		return nil, false, dbErr(err, "lock")
	}
	h := fnv.New64a()
	h.Write([]byte("sello/" + schema + "/" + name))
	key := int64(h.Sum64())
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
