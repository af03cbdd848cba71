-- RULES S4 (Zacatecas art. 68-I-c, 68-II): a revocation request records the
-- holder's address and, from a representative, the power-of-attorney document.
ALTER TABLE status_requests ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE status_requests ADD COLUMN power_of_attorney_id INTEGER;
-- RULES S2 (Zacatecas art. 66-IV): a revocation after prior notice takes
-- effect at the date and hour the notice stated.
ALTER TABLE status_requests ADD COLUMN effective_at DATETIME;
-- RULES S1: a suspension that does not escalate by itself awaits an agent's
-- decision once its period ends.
ALTER TABLE certificates ADD COLUMN decision_due_at DATETIME;
