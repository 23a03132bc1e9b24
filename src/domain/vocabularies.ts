/**
 * Code lists of the field (IMAS terms, GICHD Minimum Data Requirements). Values are stable
 * codes stored in the database and sent over the API; people see them through the message
 * catalogue under `vocab.<list>.<value>`. "unknown" is a value, not a null.
 */
export const HAZARD_TYPES = ['SHA', 'CHA'] as const;
export const HAZARD_STATUSES = ['open', 'in_progress', 'closed'] as const;
export const DEVICE_CATEGORIES = [
  'AP',
  'AV',
  'improvised_mine',
  'cluster_munition',
  'other_erw',
  'booby_trap',
  'ied',
  'unknown',
] as const;
export const EVIDENCE_TYPES = [
  'device_seen',
  'device_found',
  'accident',
  'minefield_record',
  'fighting_position',
  'marking_sign',
  'informant',
  'crater_or_debris',
  'other',
] as const;
export const LAND_USES = [
  'housing',
  'agriculture',
  'grazing',
  'roads',
  'water',
  'infrastructure',
  'forest',
  'other',
] as const;
export const ACTIVITY_KINDS = [
  'NTS',
  'TS',
  'clearance',
  'BAC',
  'EOD_spot_task',
  'road_clearance',
  'EORE',
  'QM',
] as const;
export const ACTIVITY_METHODS = [
  'manual',
  'mdd',
  'mechanical',
  'manual_mdd',
  'manual_mechanical',
  'mechanical_mdd',
  'manual_mechanical_mdd',
  'survey',
  'not_applicable',
] as const;
export const ACTIVITY_STATUSES = ['planned', 'in_progress', 'suspended', 'completed', 'cancelled'] as const;
export const TASK_ORDER_STATES = ['issued', 'started', 'suspended', 'completed', 'cancelled'] as const;
export type TaskOrderState = (typeof TASK_ORDER_STATES)[number];
export const LAND_RELEASE_OUTCOMES = ['cancelled', 'reduced', 'cleared'] as const;
export const FINDING_CONDITIONS = [
  'intact',
  'armed',
  'damaged',
  'deteriorated',
  'fuzed',
  'unfuzed',
  'unknown',
] as const;
export const FINDING_DISPOSITIONS = [
  'destroyed_in_situ',
  'removed_destroyed',
  'removed_stored',
  'rendered_safe',
  'left_in_place',
  'unknown',
] as const;
export const DATE_PRECISIONS = ['day', 'month', 'year', 'unknown'] as const;
/** How well the accident's coordinates are known. */
export const POINT_PRECISIONS = [
  'exact',
  'within_100m',
  'within_1km',
  'settlement',
  'admin_area',
  'unknown',
] as const;
export const SEXES = ['female', 'male', 'unknown'] as const;
export const AGE_BANDS = ['0-4', '5-12', '13-17', '18-59', '60+', 'unknown'] as const;
export const CASUALTY_STATUSES = ['civilian', 'military', 'deminer', 'unknown'] as const;
export const CASUALTY_OUTCOMES = ['killed', 'injured', 'unknown'] as const;
export const CASUALTY_ACTIVITIES = [
  'farming',
  'herding',
  'collecting_wood_or_food',
  'travelling',
  'playing',
  'tampering',
  'demining',
  'military_activity',
  'household',
  'returning_home',
  'other',
  'unknown',
] as const;
export const DISPLACEMENT_STATUSES = ['resident', 'idp', 'returnee', 'refugee', 'unknown'] as const;
export const TRI_STATE = ['yes', 'no', 'unknown'] as const;
export const RE_DELIVERY_METHODS = [
  'face_to_face',
  'mass_media',
  'digital',
  'printed',
  'community_focal_point',
  'other',
] as const;
export const QA_SEVERITIES = ['critical', 'major', 'minor', 'observation'] as const;
export const SOURCE_KINDS = [
  'un_document',
  'government_report',
  'operator_report',
  'minefield_record',
  'survey_form',
  'media',
  'academic',
  'treaty_report',
  'other',
] as const;
/** What a control period says of its area: under a named administration, or out of the authority's reach. */
export const CONTROL_PERIOD_KINDS = ['controlled_by', 'inaccessible'] as const;
export const ORGANISATION_KINDS = [
  'authority',
  'ngo',
  'commercial',
  'military',
  'un_agency',
  'donor',
  'other',
] as const;
export const ROLES = [
  'admin',
  'approver',
  'qa_officer',
  'analyst',
  'operator_manager',
  'operator_data_entry',
  'viewer',
] as const;
/** Kinds of team an organisation fields (IMAS 07.30 accreditation and the capacity register). */
export const TEAM_KINDS = ['manual', 'mechanical', 'mdd', 'eod', 'nts', 'eore'] as const;
/** Assets a team holds: demining machines and mine detection dogs. */
export const ASSET_KINDS = ['machine', 'dog'] as const;
export const SETTLEMENT_KINDS = ['city', 'town', 'village', 'hamlet', 'camp', 'other'] as const;
/**
 * The ground a hazard lies in, as task planning and productivity see it (the terrain and
 * vegetation classes of IMAS 09.10 / 08.20 survey forms): it changes how fast land is released.
 */
export const TERRAINS = [
  'open_flat',
  'agricultural',
  'forest_dense_vegetation',
  'mountainous_rocky',
  'urban_built_up',
  'wetland_riverbank',
  'desert_sand',
  'other',
] as const;

export type HazardType = (typeof HAZARD_TYPES)[number];
export type HazardStatus = (typeof HAZARD_STATUSES)[number];
export type DeviceCategory = (typeof DEVICE_CATEGORIES)[number];
export type LandReleaseOutcome = (typeof LAND_RELEASE_OUTCOMES)[number];
export type Role = (typeof ROLES)[number];
export type Terrain = (typeof TERRAINS)[number];
