-- The reading of a minefield record that an authorised user adopted (a hypothesis id such as
-- `ref=magnetic,angle=mil6000,dist=pace,dir=forward`), written through the one write path so the
-- adoption is an approved change in the record's history. When set, `geom` and
-- `geometry_hypothesis` are that reading's perimeter; when null, the first reading that decodes.
ALTER TABLE minefield_records ADD COLUMN adopted_hypothesis text;
