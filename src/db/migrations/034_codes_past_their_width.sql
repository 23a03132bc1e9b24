-- Record codes keep counting past their width.
--
-- Every code was made as prefix || lpad(next value, width, '0'). lpad also cuts a longer text to
-- its width, so the sequence's value after 10^width - 1 lost its last digit: the 1 000 000th
-- hazard was given HA-100000, which the 100 000th already holds, and from then on every new
-- hazard was refused by the code's unique key. A sequence also moves on for rows that are rolled
-- back (an import refused half-way), so this can come long before that many records exist
-- (findings at 10^7, sources at 10^5). sg_code pads to the width and never cuts: HA-000042,
-- HA-999999, HA-1000000. Existing codes are unchanged.
CREATE FUNCTION sg_code(prefix text, n bigint, width integer) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT prefix || lpad(n::text, greatest(width, length(n::text)), '0') $$;

ALTER TABLE hazards ALTER COLUMN code SET DEFAULT sg_code('HA-', nextval('hazards_code_seq'), 6);
ALTER TABLE activities ALTER COLUMN code SET DEFAULT sg_code('AC-', nextval('activities_code_seq'), 6);
ALTER TABLE land_release ALTER COLUMN code SET DEFAULT sg_code('LR-', nextval('land_release_code_seq'), 6);
ALTER TABLE findings ALTER COLUMN code SET DEFAULT sg_code('EO-', nextval('findings_code_seq'), 7);
ALTER TABLE accidents ALTER COLUMN code SET DEFAULT sg_code('AX-', nextval('accidents_code_seq'), 6);
ALTER TABLE casualties ALTER COLUMN code SET DEFAULT sg_code('CS-', nextval('casualties_code_seq'), 6);
ALTER TABLE risk_education_sessions ALTER COLUMN code SET DEFAULT sg_code('RE-', nextval('risk_education_code_seq'), 6);
ALTER TABLE qa_visits ALTER COLUMN code SET DEFAULT sg_code('QA-', nextval('qa_visits_code_seq'), 6);
ALTER TABLE sources ALTER COLUMN code SET DEFAULT sg_code('SRC-', nextval('sources_code_seq'), 5);
ALTER TABLE reports ALTER COLUMN code SET DEFAULT sg_code('RP-', nextval('reports_code_seq'), 6);
ALTER TABLE minefield_records ALTER COLUMN code SET DEFAULT sg_code('MR-', nextval('minefield_records_code_seq'), 6);
ALTER TABLE site_visits ALTER COLUMN code SET DEFAULT sg_code('SV-', nextval('site_visits_code_seq'), 6);
ALTER TABLE control_periods ALTER COLUMN code SET DEFAULT sg_code('CP-', nextval('control_periods_code_seq'), 6);
ALTER TABLE task_orders ALTER COLUMN code SET DEFAULT sg_code('TO-', nextval('task_orders_code_seq'), 6);
ALTER TABLE teams ALTER COLUMN code SET DEFAULT sg_code('TM-', nextval('teams_code_seq'), 6);
ALTER TABLE accreditations ALTER COLUMN code SET DEFAULT sg_code('ACR-', nextval('accreditations_code_seq'), 6);
ALTER TABLE projects ALTER COLUMN code SET DEFAULT sg_code('PJ-', nextval('projects_code_seq'), 6);
