package store

// DBErr exposes the driver error mapping to the external tests, which
// provoke real driver errors and check how they are classified.
var DBErr = dbErr

// AuditHash is the chain function (nil key: the unkeyed SHA-256 of chains
// written before the chain key), for tests that forge entries the way a
// database writer would.
func AuditHash(key []byte, e *AuditEntry) string { return computeHash(key, e) }
