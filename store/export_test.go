package store

// DBErr exposes the driver error mapping to the external tests, which
// provoke real driver errors and check how they are classified.
var DBErr = dbErr
