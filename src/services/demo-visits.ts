import type { Kysely } from 'kysely';
import type { Schema } from '../db/connect.ts';
import { idsByExternalId } from '../db/repositories/demo.ts';
import type { DemoProgramme } from '../domain/demo-programme.ts';
import * as R from '../domain/records.ts';

/** One demo record as the demo loader takes it (src/services/demo.ts). */
interface VisitInput {
  key?: string;
  geometry?: unknown;
  properties: Record<string, unknown>;
}

/** How many hazards the demo's site visits go to. */
export const DEMO_SITE_VISITS = 4;

/**
 * The hazards the demo's site visits go to, each with the indexes of its findings: the
 * DEMO_SITE_VISITS hazards with the most findings, in a stable order.
 */
function visitedHazards(programme: DemoProgramme): Array<[string, number[]]> {
  const byHazard = new Map<string, number[]>();
  programme.findings.forEach((f, k) => {
    const ks = byHazard.get(f.hazardKey);
    if (ks) ks.push(k);
    else byHazard.set(f.hazardKey, [k]);
  });
  return [...byHazard.entries()]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .slice(0, DEMO_SITE_VISITS);
}

/** How many site visits the demo writes (its progress counts them). */
export function demoSiteVisitRows(programme: DemoProgramme): number {
  return visitedHazards(programme).length;
}

/**
 * A few site visits for the demo programme (docs/evidence.md, "Site visits"): delegations shown
 * hazards with many devices found and two of those devices each, so that the map's site-visits
 * layer and a hazard's evidence dossier have visits to show. The visitors are groups named by
 * their function, not people; every visit cites the programme's first source.
 */
export async function loadDemoVisits(
  trx: Kysely<Schema>,
  programme: DemoProgramme,
  load: (def: R.RegisterDef, inputs: VisitInput[]) => Promise<void>,
  idOf: (key: string | null) => string | null,
): Promise<void> {
  const chosen = visitedHazards(programme);
  const shown = await idsByExternalId(
    trx,
    R.findings.table,
    chosen.flatMap(([, ks]) => ks.slice(0, 2).map((k) => `demo:finding:${k}`)),
  );
  const hazards = new Map(programme.hazards.map((h) => [h.key, h]));
  const authority = programme.organisations.find((o) => o.kind === 'authority') ?? programme.organisations[0];
  const visitors = [
    [{ name: 'Heads of mission of accredited embassies', organisation: 'Diplomatic corps' }],
    [{ name: 'Delegation of donor representatives', organisation: 'Donor working group' }],
    [
      { name: 'Mine action advisers', organisation: 'United Nations country team' },
      { name: 'Journalists', organisation: 'Accredited press' },
    ],
    [{ name: 'Members of the parliamentary committee', organisation: 'Parliament' }],
  ];
  await load(
    R.siteVisits,
    chosen.map(([hazardKey, ks], i) => {
      const h = hazards.get(hazardKey)!;
      const found = ks.map((k) => programme.findings[k]!.foundOn).sort();
      // The visit comes a week after the last device shown was found.
      const day = new Date(`${found[Math.min(1, found.length - 1)]}T00:00:00Z`);
      day.setUTCDate(day.getUTCDate() + 7);
      return {
        geometry: h.geometry,
        properties: {
          visitedOn: day.toISOString().slice(0, 10),
          title: `Site visit to ${h.name}`,
          hostOrganisationId: authority ? idOf(authority.key) : null,
          visitors: visitors[i % visitors.length],
          hazardIds: [idOf(hazardKey)],
          findingIds: ks
            .slice(0, 2)
            .flatMap((k) => (shown.has(`demo:finding:${k}`) ? [shown.get(`demo:finding:${k}`)!] : [])),
          observations: 'The visitors were shown the marked hazard area and devices lifted from it.',
          sourceId: programme.sources[0] ? idOf(programme.sources[0].key) : null,
          externalId: `demo:site-visit:${i}`,
        },
      };
    }),
  );
}
