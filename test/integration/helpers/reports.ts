/**
 * A report of one accident (a point, a date, an anti-personnel mine, not during demining) and one
 * casualty of it, as the report form sends it: the accident is created with `ref: 'acc'` and
 * the casualty points to it. Example: `accidentReport('2025-04-04', [45.1, 40.1], { sex: 'female',
 * casualtyStatus: 'civilian', outcome: 'injured', identity: { name: 'A. B.' } })`.
 */
export function accidentReport(date: string, point: [number, number], casualty: Record<string, unknown>) {
  return {
    kind: 'accident',
    dateOfInformation: date,
    payload: {
      changes: [
        {
          op: 'create',
          register: 'accidents',
          ref: 'acc',
          record: {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: point },
            properties: { occurredOn: date, deviceCategory: 'AP', demining: 'no' },
          },
        },
        { op: 'create', register: 'casualties', record: { accidentId: '@ref:acc', ...casualty } },
      ],
    },
  };
}
