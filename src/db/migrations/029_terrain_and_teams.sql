-- Estimated effort by method and terrain (docs/planning.md, "Estimated effort"): the terrain a
-- hazard lies in (none: not recorded) and the number of teams an activity used (none: one), so
-- a sample's team-days are teams × days.
ALTER TABLE hazards ADD COLUMN terrain text;
ALTER TABLE hazards ADD CONSTRAINT hazards_terrain_check CHECK (terrain IS NULL OR terrain IN (
  'open_flat', 'agricultural', 'forest_dense_vegetation', 'mountainous_rocky', 'urban_built_up',
  'wetland_riverbank', 'desert_sand', 'other'));
ALTER TABLE activities ADD COLUMN teams integer;
ALTER TABLE activities ADD CONSTRAINT activities_teams_check CHECK (teams IS NULL OR teams >= 1);
