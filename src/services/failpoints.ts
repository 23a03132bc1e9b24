/**
 * Fault injection for crash tests: `SAFEGROUND_FAILPOINT=approval.before_commit` makes the
 * process announce the point on stderr and then wait, inside the open transaction, so a test can
 * kill it there and check that nothing of the half-done work survives. Unset (always, outside
 * tests), a failpoint costs one property lookup.
 */
export async function failpoint(name: string): Promise<void> {
  if (process.env.SAFEGROUND_FAILPOINT !== name) return;
  process.stderr.write(`failpoint ${name} reached\n`);
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}
