-- The public endpoints keep their answers until a table they read changes: casualties get a
-- generation like the map tables (migration 016), bumped by every statement that writes them.
INSERT INTO tile_generations (table_name) VALUES ('casualties');

CREATE TRIGGER a_tile_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON casualties
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_generation_bump();
