import { hazardHistoryProblem } from '../reports.ts';
import type { RegisterModule } from './module.ts';

/** Hazards: every approved history must keep to the status rules (domain/reports.ts). */
export const hazardsModule: RegisterModule = {
  historyProblem(states) {
    const broken = hazardHistoryProblem(
      states.map((s) => ({
        status: String(s.state.status ?? 'open'),
        type: String(s.state.type ?? 'SHA'),
        reason: s.reason,
        dateOfInformation: s.dateOfInformation,
      })),
    );
    return broken?.problem;
  },
};
