/** The file-format layer: read features from files, map them, write exports, list rejects. */
export { toWgs84 } from './crs.ts';
export { detectFormat } from './detect.ts';
export {
  applyMapping,
  type FieldMapping,
  loadMapping,
  type Mapping,
  mappingUnreadable,
  parseMapping,
  type Transform,
} from './mapping.ts';
export { readFeatures } from './read.ts';
export { type Reject, rejectsCsv } from './rejects.ts';
export { shapefileFieldNames } from './shp-write.ts';
export type {
  FileInput,
  Format,
  Geometry,
  ReadOptions,
  ReadProgress,
  SourceFeature,
  TableOptions,
} from './types.ts';
export { FORMATS } from './types.ts';
export {
  type FieldType,
  formatMedia,
  isStreamedFormat,
  STREAMED_FORMATS,
  type StreamedFormat,
  streamFeatures,
  type WriteFeature,
  type WriteFormat,
  type WriteOptions,
  type WrittenFile,
  writeFeatures,
} from './write.ts';
