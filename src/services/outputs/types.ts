import type { OutputContext } from './context.ts';
import type { Block } from './document.ts';

/** The parameters a standard report takes besides the as-at date. */
export type OutputParamName =
  | 'from'
  | 'to'
  | 'area'
  | 'organisation'
  | 'level'
  | 'hazard'
  | 'records'
  | 'project';

/**
 * One standard report: its name (the URL segment and CLI argument), the parameters it takes
 * (those it needs in `required`), and how it builds its blocks from register reads.
 * Registered in OUTPUTS (./index.ts).
 */
export interface OutputModule {
  name: string;
  params: OutputParamName[];
  required?: OutputParamName[];
  build(ctx: OutputContext): Promise<Block[]>;
}
