import { isProblem, type Problem } from '../../../src/domain/problem.ts';

/** The problem `fn` throws; fails the test when it throws nothing. */
export function problemOf(fn: () => unknown): Problem {
  try {
    fn();
  } catch (e) {
    return e as Problem;
  }
  throw new Error('expected a problem');
}

/** The code of the problem `fn` throws, or undefined when it throws nothing; other errors pass through. */
export function problemCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isProblem(e)) return e.code;
    throw e;
  }
  return undefined;
}
