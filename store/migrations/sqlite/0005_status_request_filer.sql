-- Who filed a status request: another agent decides a deferred one.
ALTER TABLE status_requests ADD COLUMN filed_by TEXT NOT NULL DEFAULT '';
