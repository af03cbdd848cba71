-- Sello schema, PostgreSQL dialect. Times are TIMESTAMPTZ (UTC, microsecond precision);
-- binary values are BYTEA. Keep in step with ../sqlite/0001_init.sql.

CREATE TABLE organisations (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    policy_id         TEXT NOT NULL,
    responsible_unit  TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('accredited', 'suspended', 'revoked')),
    status_reason     TEXT NOT NULL DEFAULT '',
    status_changed_at TIMESTAMPTZ NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
);

-- Personal data is sealed (AES-256-GCM) in pii; *_idx are keyed blind indexes
-- (HMAC-SHA-256) so a CURP, RFC, DNI or e-mail can be searched without storing it in clear.
CREATE TABLE people (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name TEXT NOT NULL,
    curp_idx     TEXT,
    rfc_idx      TEXT,
    dni_idx      TEXT,
    email_idx    TEXT,
    pii          BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX people_curp_idx ON people (curp_idx);
CREATE INDEX people_rfc_idx ON people (rfc_idx);
CREATE INDEX people_dni_idx ON people (dni_idx);
CREATE INDEX people_email_idx ON people (email_idx);

CREATE TABLE agents (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organisations (id),
    person_id   BIGINT NOT NULL REFERENCES people (id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'auditor', 'hr')),
    title       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX agents_org ON agents (org_id);

CREATE TABLE enrollments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organisations (id),
    person_id   BIGINT REFERENCES people (id),
    folio       TEXT UNIQUE,
    state       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    policy_id   TEXT NOT NULL,
    data        BYTEA,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX enrollments_org_state ON enrollments (org_id, state);

-- Serials are reserved before anything is signed (Boulder's issuance sequence).
CREATE TABLE serials (
    issuer_id   TEXT NOT NULL,
    serial      TEXT NOT NULL,
    not_after   TIMESTAMPTZ NOT NULL,
    reserved_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer_id, serial)
);

CREATE TABLE lint_certificates (
    issuer_id  TEXT NOT NULL,
    serial     TEXT NOT NULL,
    der        BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer_id, serial)
);

CREATE TABLE certificates (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuer_id         TEXT NOT NULL,
    serial            TEXT NOT NULL,
    org_id            BIGINT REFERENCES organisations (id),
    person_id         BIGINT REFERENCES people (id),
    agent_id          BIGINT REFERENCES agents (id),
    enrollment_id     BIGINT REFERENCES enrollments (id),
    subject           TEXT NOT NULL,
    key_fingerprint   TEXT NOT NULL,
    cert_fingerprint  TEXT NOT NULL UNIQUE,
    status            TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'revoked', 'expired')),
    not_before        TIMESTAMPTZ NOT NULL,
    not_after         TIMESTAMPTZ NOT NULL,
    issued_at         TIMESTAMPTZ NOT NULL,
    status_changed_at TIMESTAMPTZ NOT NULL,
    revoked_at        TIMESTAMPTZ,
    revocation_reason INTEGER,
    der               BYTEA NOT NULL,
    UNIQUE (issuer_id, serial)
);
CREATE INDEX certificates_key ON certificates (key_fingerprint);
CREATE INDEX certificates_person ON certificates (person_id);
CREATE INDEX certificates_status ON certificates (status, not_after);

-- Every suspension, lift, revocation and extinction, with its exact time (RULES S6).
CREATE TABLE status_changes (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    certificate_id BIGINT NOT NULL REFERENCES certificates (id),
    kind           TEXT NOT NULL CHECK (kind IN ('suspend', 'lift', 'revoke', 'extinguish')),
    reason_code    INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    actor          TEXT NOT NULL,
    folio          TEXT,
    at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX status_changes_cert ON status_changes (certificate_id);

-- The durable outbox: publication, OCSP refresh, CRL and notifications are
-- jobs written in the same transaction as the change that caused them.
CREATE TABLE outbox (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL,
    dedup_key    TEXT NOT NULL UNIQUE,
    payload      BYTEA NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_after    TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    done_at      TIMESTAMPTZ
);
CREATE INDEX outbox_ready ON outbox (state, kind, run_after);

-- The hash-chained audit log. audit_head serialises appends and records the
-- chain's tip, so a truncated tail is detected too.
CREATE TABLE audit_entries (
    seq       BIGINT PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE audit_checkpoints (
    seq       BIGINT PRIMARY KEY,
    hash      TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    key_id    TEXT NOT NULL,
    signature BYTEA NOT NULL
);
