/**
 * Reader of the SHC text format in which IAGA publishes the IGRF coefficients. Kept apart from
 * the synthesis so the generator script and the test that checks the committed coefficients
 * read the file the same way.
 *
 * Layout: `#` comment lines; a header `nmin nmax nEpochs splineOrder steps firstYear lastYear`;
 * a line of epochs; then one line per coefficient, `n m value@epoch1 value@epoch2 …`, with
 * g(n,m) first and, for m > 0, h(n,m) on the next line with the same `n m`.
 */

export interface ShcModel {
  maxDegree: number;
  /** Spline order from the header: 2 means piecewise linear in time between epochs. */
  splineOrder: number;
  epochs: number[];
  /** g[epoch][k] with k = coefficientIndex(n, m), nT. */
  g: number[][];
  /** h[epoch][k], nT; zero for m = 0. */
  h: number[][];
}

/**
 * Position of (n, m) in the flat coefficient arrays: degree 1 first, order 0..n within a degree.
 *
 * @example coefficientIndex(1, 0) // 0; coefficientIndex(2, 0) // 2; coefficientIndex(13, 13) // 103
 */
export function coefficientIndex(n: number, m: number): number {
  return (n * (n + 1)) / 2 + m - 1;
}

/** Number of (n, m) pairs for degrees 1..maxDegree. @example coefficientCount(13) // 104 */
export function coefficientCount(maxDegree: number): number {
  return coefficientIndex(maxDegree, maxDegree) + 1;
}

/**
 * Parses an SHC file's text. Throws a plain Error on a malformed file: the file is build input
 * read by the generator, not something a user supplies.
 *
 * @example parseShc(readFileSync('IGRF14.SHC', 'utf8')).epochs[0] // 1900
 */
export function parseShc(text: string): ShcModel {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const numbers = (l: string) => l.split(/\s+/).map(Number);
  const header = numbers(lines[0] ?? '');
  const [minDegree, maxDegree, epochCount, splineOrder] = header;
  if (header.length < 7 || minDegree !== 1 || !(maxDegree >= 1) || !(epochCount >= 1)) {
    throw new Error(`SHC header not understood: "${lines[0]}"`);
  }
  const epochs = numbers(lines[1] ?? '');
  if (epochs.length !== epochCount || epochs.some((e) => !Number.isFinite(e))) {
    throw new Error(`SHC epoch line has ${epochs.length} values, header says ${epochCount}`);
  }
  const size = coefficientCount(maxDegree);
  const g = epochs.map(() => new Array<number>(size).fill(Number.NaN));
  const h = epochs.map(() => new Array<number>(size).fill(0));
  let lastGIndex = -1;
  for (const line of lines.slice(2)) {
    const v = numbers(line);
    const [n, m] = v;
    if (
      v.length !== epochCount + 2 ||
      v.some((x) => !Number.isFinite(x)) ||
      n < 1 ||
      n > maxDegree ||
      m < 0 ||
      m > n
    ) {
      throw new Error(`SHC coefficient line not understood: "${line}"`);
    }
    const k = coefficientIndex(n, m);
    // The second line with the same (n, m) and m > 0 is h; the first is g.
    const target = m > 0 && k === lastGIndex ? h : g;
    for (let e = 0; e < epochCount; e++) target[e][k] = v[e + 2];
    lastGIndex = target === g ? k : -1;
  }
  if (g.some((row) => row.some((x) => Number.isNaN(x))))
    throw new Error('SHC file lacks some g coefficients');
  return { maxDegree, splineOrder, epochs, g, h };
}
