import { idListHooks } from './id-lists.ts';

/** Accreditations: the admin areas in scope must exist. */
export const accreditationsHooks = idListHooks([{ field: 'adminAreaIds', table: 'admin_areas' }], false);

/** Projects: the admin areas, implementing organisations and donors named by id must exist. */
export const projectsHooks = idListHooks(
  [
    { field: 'adminAreaIds', table: 'admin_areas' },
    { field: 'organisationIds', table: 'organisations' },
    { field: 'donors', itemField: 'organisationId', table: 'organisations' },
  ],
  false,
);
