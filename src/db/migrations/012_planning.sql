-- Planning for the return of displaced people: the versioned settings readiness and priorities are
-- computed with (readiness rules, priority weights), and the national priority the authority sets
-- per hazard. A settings version is never changed: a change is a new version, so any past answer
-- can be reproduced from the version it names (docs/planning.md).

CREATE TABLE planning_settings (
  kind text NOT NULL,
  version integer NOT NULL,
  settings jsonb NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users(id),
  PRIMARY KEY (kind, version),
  CONSTRAINT planning_settings_kind_check CHECK (kind IN ('readiness_rules', 'priority_weights')),
  CONSTRAINT planning_settings_version_check CHECK (version >= 1)
);

CREATE FUNCTION sg_planning_settings_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'planning settings versions are never changed' USING ERRCODE = 'P0001', HINT = 'planning.settings_immutable';
END $$;
CREATE TRIGGER planning_settings_no_update BEFORE UPDATE OR DELETE ON planning_settings
  FOR EACH ROW EXECUTE FUNCTION sg_planning_settings_immutable();

-- Version 1 of both (the same as DEFAULT_READINESS_RULES and DEFAULT_PRIORITY_WEIGHTS in
-- src/domain/planning.ts; a test keeps them equal).
INSERT INTO planning_settings (kind, version, settings, note) VALUES
('readiness_rules', 1, '{
  "bandsM": [1000, 5000],
  "accessRoadDistanceM": 5000,
  "accidentDistanceM": 5000,
  "riskEducationDistanceM": 5000,
  "levels": [
    {"level": "ready", "when": {"noOpenHazardWithinM": 1000, "accessRoadReleased": true}},
    {"level": "conditional", "when": {"noBlockedLandUseWithin": {"landUses": ["housing", "water"], "distanceM": 1000}, "riskEducationWithinYears": 2}},
    {"level": "not_ready", "when": {}}
  ]
}', 'default rules'),
('priority_weights', 1, '{
  "settlementDistanceM": 5000,
  "accidentDistanceM": 1000,
  "accidentYears": 5,
  "factors": {
    "nationalPriority": {"weight": 3},
    "population": {"weight": 2, "cap": 5000},
    "displacedHouseholds": {"weight": 3, "cap": 500},
    "blockedLandUse": {"weight": 2, "cap": 3},
    "accidents": {"weight": 3, "cap": 3},
    "accidentRecency": {"weight": 2},
    "settlementProximity": {"weight": 1},
    "roadBlocked": {"weight": 1},
    "remainingArea": {"weight": 0.5, "cap": 100000},
    "effort": {"weight": 1, "cap": 365}
  }
}', 'default weights');

-- The national priority of a hazard (0 none … 3 highest), set by the authority from a date on;
-- the level in force at a date is the latest set with effective_from on or before it.
CREATE TABLE national_priorities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  hazard_id uuid NOT NULL REFERENCES hazards(id),
  level integer NOT NULL,
  effective_from date NOT NULL,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users(id),
  CONSTRAINT national_priorities_level_check CHECK (level BETWEEN 0 AND 3)
);
CREATE INDEX national_priorities_hazard_idx ON national_priorities (hazard_id, effective_from, created_at);

-- Land release by activity (productivity is measured per activity).
CREATE INDEX land_release_activity_idx ON land_release (activity_id);
CREATE INDEX risk_education_settlement_idx ON risk_education_sessions (settlement_id);
