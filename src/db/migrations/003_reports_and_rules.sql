-- Reports (the unit of data entry), the approved history records are derived from, login
-- rate limiting, and the land-release rules enforced in the database as well as in the services.

CREATE SEQUENCE reports_code_seq;
CREATE TABLE reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE DEFAULT 'RP-' || lpad(nextval('reports_code_seq')::text, 6, '0'),
  kind text NOT NULL,
  status text NOT NULL DEFAULT 'draft',
  organisation_id uuid REFERENCES organisations(id),
  date_of_information date NOT NULL,
  payload jsonb NOT NULL,
  reason text,
  warnings jsonb NOT NULL DEFAULT '[]',
  applied jsonb NOT NULL DEFAULT '[]',
  rejection_reason text,
  submitted_at timestamptz,
  submitted_by uuid REFERENCES users(id),
  reviewed_at timestamptz,
  reviewed_by uuid REFERENCES users(id),
  decided_at timestamptz,
  decided_by uuid REFERENCES users(id),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users(id),
  updated_by uuid,
  archived_at timestamptz,
  CONSTRAINT reports_status_check CHECK (status IN ('draft', 'submitted', 'reviewed', 'approved', 'rejected')),
  CONSTRAINT reports_rejection_check CHECK (status <> 'rejected' OR rejection_reason IS NOT NULL)
);
CREATE INDEX reports_status_idx ON reports (status);
CREATE INDEX reports_org_idx ON reports (organisation_id);
CREATE TRIGGER reports_touch BEFORE UPDATE ON reports FOR EACH ROW EXECUTE FUNCTION sg_touch();

-- Every approved change to a record, in the order it was approved. A record's current state is
-- the fold of its changes in date-of-information order (approval order within one date), so a
-- back-dated report takes its right place.
CREATE TABLE record_changes (
  seq bigserial PRIMARY KEY,
  entity text NOT NULL,
  record_id uuid NOT NULL,
  -- null for a baseline: the state of a record that existed before its first report (bulk loads).
  report_id uuid REFERENCES reports(id),
  date_of_information date NOT NULL,
  op text NOT NULL,
  patch jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT record_changes_op_check CHECK (op IN ('baseline', 'create', 'update', 'archive'))
);
CREATE INDEX record_changes_record_idx ON record_changes (entity, record_id, date_of_information, seq);

CREATE TABLE login_failures (
  id bigserial PRIMARY KEY,
  email text NOT NULL,
  ip text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (lower(email), at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);

-- Status moves only along allowed transitions. Leaving "closed" (re-opening) needs the reason of
-- an approved report, which the service passes in the transaction setting safeground.reopen_reason.
CREATE FUNCTION sg_hazard_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  reopen text := coalesce(current_setting('safeground.reopen_reason', true), '');
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF OLD.status = 'closed' AND reopen = '' THEN
      RAISE EXCEPTION 'hazard % cannot leave status closed without an approved report giving a reason', OLD.code
        USING ERRCODE = 'P0001', HINT = 'hazard.reopen_reason_required';
    END IF;
    IF NOT ((OLD.status, NEW.status) IN (('open', 'in_progress'), ('open', 'closed'), ('in_progress', 'closed'),
        ('in_progress', 'open'), ('closed', 'open'), ('closed', 'in_progress'))) THEN
      RAISE EXCEPTION 'hazard % cannot move from % to %', OLD.code, OLD.status, NEW.status
        USING ERRCODE = 'P0001', HINT = 'hazard.status_transition';
    END IF;
  END IF;
  IF NEW.type IS DISTINCT FROM OLD.type AND OLD.type = 'CHA' AND reopen = '' THEN
    RAISE EXCEPTION 'hazard % cannot go back from CHA to SHA without an approved report giving a reason', OLD.code
      USING ERRCODE = 'P0001', HINT = 'hazard.type_transition';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER hazards_rules BEFORE UPDATE OF status, type ON hazards FOR EACH ROW EXECUTE FUNCTION sg_hazard_rules();

-- Remaining hazard = hazard − union of its live land-release polygons; kept current whenever
-- either changes. A hazard with less than 1 m² remaining closes.
CREATE FUNCTION sg_hazard_remaining(hid uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  released geometry;
  released_m2 double precision;
  rest geometry;
  rest_m2 double precision;
BEGIN
  SELECT ST_Union(geom), coalesce(sum(area_m2), 0) INTO released, released_m2
    FROM land_release WHERE hazard_id = hid AND archived_at IS NULL;
  SELECT CASE WHEN released IS NULL THEN h.geom
              ELSE ST_Multi(ST_CollectionExtract(ST_Difference(h.geom, released), 3)) END
    INTO rest FROM hazards h WHERE h.id = hid;
  rest_m2 := CASE WHEN rest IS NULL OR ST_IsEmpty(rest) THEN 0 ELSE ST_Area(rest::geography, true) END;
  UPDATE hazards SET
    remaining_geom = CASE WHEN rest_m2 < 1 THEN NULL ELSE rest END,
    remaining_area_m2 = CASE WHEN rest_m2 < 1 THEN 0 ELSE rest_m2 END,
    released_area_m2 = released_m2,
    status = CASE WHEN rest_m2 < 1 THEN 'closed' ELSE status END
  WHERE id = hid
    AND (remaining_area_m2 IS DISTINCT FROM CASE WHEN rest_m2 < 1 THEN 0 ELSE rest_m2 END
      OR released_area_m2 IS DISTINCT FROM released_m2
      OR (rest_m2 < 1 AND status <> 'closed'));
END $$;

-- Land released must lie within its hazard (1 m tolerance) and all released land together must
-- not exceed the hazard's area (1 m² tolerance for rounding).
CREATE FUNCTION sg_land_release_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  h record;
  outside_m2 double precision;
  total_m2 double precision;
BEGIN
  IF NEW.archived_at IS NULL THEN
    SELECT id, code, geom, area_m2 INTO h FROM hazards WHERE id = NEW.hazard_id;
    outside_m2 := ST_Area(ST_Difference(NEW.geom, ST_Buffer(h.geom::geography, 1)::geometry)::geography, true);
    IF outside_m2 > 0.01 THEN
      RAISE EXCEPTION 'land release % lies % m² outside hazard %', NEW.code, round(outside_m2::numeric, 1), h.code
        USING ERRCODE = 'P0001', HINT = 'land_release.outside_hazard';
    END IF;
    SELECT coalesce(sum(area_m2), 0) + NEW.area_m2 INTO total_m2 FROM land_release
      WHERE hazard_id = NEW.hazard_id AND archived_at IS NULL AND id <> NEW.id;
    IF total_m2 > h.area_m2 + 1 THEN
      RAISE EXCEPTION 'land released from hazard % (% m²) exceeds its area (% m²)', h.code,
        round(total_m2::numeric, 1), round(h.area_m2::numeric, 1)
        USING ERRCODE = 'P0001', HINT = 'land_release.area_exceeds_hazard';
    END IF;
  END IF;
  RETURN NEW;
END $$;
-- Runs after the area trigger (triggers fire in name order: land_release_area < land_release_rules).
CREATE TRIGGER land_release_rules BEFORE INSERT OR UPDATE ON land_release FOR EACH ROW EXECUTE FUNCTION sg_land_release_rules();

CREATE FUNCTION sg_land_release_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.hazard_id IS DISTINCT FROM NEW.hazard_id THEN
    PERFORM sg_hazard_remaining(OLD.hazard_id);
  END IF;
  PERFORM sg_hazard_remaining(NEW.hazard_id);
  RETURN NULL;
END $$;
CREATE TRIGGER land_release_changed AFTER INSERT OR UPDATE ON land_release FOR EACH ROW EXECUTE FUNCTION sg_land_release_changed();

CREATE FUNCTION sg_hazard_geom_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_hazard_remaining(NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER hazards_geom_changed AFTER UPDATE OF geom ON hazards FOR EACH ROW EXECUTE FUNCTION sg_hazard_geom_changed();

-- A new hazard has nothing released yet (fires after hazards_area, which sets area_m2).
CREATE FUNCTION sg_hazard_init() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.remaining_geom := coalesce(NEW.remaining_geom, NEW.geom);
  NEW.remaining_area_m2 := coalesce(NEW.remaining_area_m2, NEW.area_m2);
  RETURN NEW;
END $$;
CREATE TRIGGER hazards_remaining_init BEFORE INSERT ON hazards FOR EACH ROW EXECUTE FUNCTION sg_hazard_init();
