/**
 * What the data exchange offers: the registers a file can be imported into and the formats a
 * register is exported in. Shared by the services, the CLI, the API and the web application.
 */

/** Registers `safeground import --as` and `POST /api/v1/imports?as=` take. */
export const IMPORT_REGISTERS = [
  'hazards',
  'land-release',
  'findings',
  'accidents',
  'settlements',
  'admin-areas',
  'sources',
] as const;

/** Formats `safeground export --format` and `GET /api/v1/exports?format=` write. */
export const EXPORT_FORMATS = ['geojson', 'csv', 'gpkg', 'kml', 'shp', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
