-- Applicants' documents and biometric evidence (RULES R2, R5, R7, R8, R10), owned by
-- package ra/documents. SQLite dialect; keep in step with ../postgres/0003_documents.sql.
--
-- The content is sealed (AES-256-GCM, RULES G6) in sealed, bound to its kind and
-- SHA-256; content_type is what the bytes proved to be, never what the client declared.
-- Nothing is deleted: a re-upload of a kind for an enrollment sets superseded_at on
-- the previous version, which stays (RULES G5 "all versions are kept").
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    enrollment_id INTEGER REFERENCES enrollments (id),
    kind          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size > 0),
    sha256        TEXT NOT NULL,
    sealed        BLOB NOT NULL,
    uploaded_by   TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    superseded_at DATETIME
);
CREATE INDEX documents_enrollment_kind ON documents (enrollment_id, kind);
CREATE INDEX documents_org ON documents (org_id);
-- At most one current version of a kind per enrollment.
CREATE UNIQUE INDEX documents_current ON documents (enrollment_id, kind) WHERE superseded_at IS NULL;
