-- The registration workflow: enrollment states and deadlines, folios,
-- one-time enrolment credentials, status requests. PostgreSQL dialect; keep in
-- step with ../sqlite/0002_workflow.sql.

ALTER TABLE enrollments ADD COLUMN channel TEXT NOT NULL DEFAULT 'in_person';
ALTER TABLE enrollments ADD COLUMN filed_at TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN received_at TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN email_verified_at TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN assigned_agent_id BIGINT REFERENCES agents (id);
ALTER TABLE enrollments ADD COLUMN deficiency_deadline TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN refusal_due_at TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN refusal_flagged_at TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN hold_until TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN approved_by BIGINT REFERENCES agents (id);
ALTER TABLE enrollments ADD COLUMN second_approved_by BIGINT REFERENCES agents (id);
ALTER TABLE enrollments ADD COLUMN approved_at TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN not_after TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN certificate_id BIGINT REFERENCES certificates (id);
ALTER TABLE enrollments ADD COLUMN renews_certificate_id BIGINT REFERENCES certificates (id);
ALTER TABLE enrollments ADD COLUMN closed_at TIMESTAMPTZ;
ALTER TABLE enrollments ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX enrollments_deadline ON enrollments (state, deficiency_deadline);
CREATE INDEX enrollments_person ON enrollments (person_id);

-- Gap-free folios per organisation, year and kind of filing.
CREATE TABLE folio_counters (
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    year   INTEGER NOT NULL,
    kind   TEXT NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (org_id, year, kind)
);

-- Every filing's acknowledgement (RULES G3), signed; the online check (G4)
-- looks it up by its verification code.
CREATE TABLE acknowledgements (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    folio             TEXT NOT NULL UNIQUE,
    org_id            BIGINT NOT NULL REFERENCES organisations (id),
    action            TEXT NOT NULL,
    enrollment_id     BIGINT REFERENCES enrollments (id),
    certificate_id    BIGINT REFERENCES certificates (id),
    verification_code TEXT NOT NULL UNIQUE,
    jws               TEXT NOT NULL,
    filed_at          TIMESTAMPTZ NOT NULL,
    received_at       TIMESTAMPTZ NOT NULL
);

-- One-time enrolment credentials (EST password, ACME EAB key): only hashes
-- are stored.
CREATE TABLE credentials (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enrollment_id BIGINT NOT NULL REFERENCES enrollments (id),
    kind          TEXT NOT NULL CHECK (kind IN ('est', 'acme_eab')),
    key_id        TEXT NOT NULL UNIQUE,
    secret_hash   TEXT NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX credentials_enrollment ON credentials (enrollment_id);

-- Certificates: the policy reason behind the current status, the end of a
-- suspension's investigation (RULES S1) and the appointment monitor's last look.
ALTER TABLE certificates ADD COLUMN status_reason_id TEXT;
ALTER TABLE certificates ADD COLUMN suspended_until TIMESTAMPTZ;
ALTER TABLE certificates ADD COLUMN appointment_checked_at TIMESTAMPTZ;
ALTER TABLE certificates ADD COLUMN policy_id TEXT;
ALTER TABLE status_changes ADD COLUMN reason_id TEXT NOT NULL DEFAULT '';

-- Requests to suspend, revoke or lift (RULES S4, O3 "revocation requests").
CREATE TABLE status_requests (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    certificate_id BIGINT NOT NULL REFERENCES certificates (id),
    org_id         BIGINT NOT NULL REFERENCES organisations (id),
    kind           TEXT NOT NULL CHECK (kind IN ('suspend', 'revoke', 'lift')),
    reason_id      TEXT NOT NULL,
    requester      TEXT NOT NULL CHECK (requester IN ('holder', 'superior', 'representative', 'agent', 'system')),
    statement      TEXT NOT NULL DEFAULT '',
    folio          TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'done', 'refused')),
    received_at    TIMESTAMPTZ NOT NULL,
    decided_at     TIMESTAMPTZ,
    decided_by     TEXT
);
CREATE INDEX status_requests_org ON status_requests (org_id, state);
