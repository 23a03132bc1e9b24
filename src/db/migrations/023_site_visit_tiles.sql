-- Site visits on the map: their places are a tile layer, so the table gets a tile generation that
-- every statement writing it bumps (as migration 016 does for the other map tables).
INSERT INTO tile_generations (table_name) VALUES ('site_visits');

CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON site_visits
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();
