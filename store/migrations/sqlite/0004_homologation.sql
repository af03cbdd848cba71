-- Certificates issued by another authority and registered here after
-- electronic validation (RULES O4) are marked by origin.
ALTER TABLE certificates ADD COLUMN origin TEXT NOT NULL DEFAULT 'issued';
