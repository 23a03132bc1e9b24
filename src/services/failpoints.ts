/**
 * Fault injection for crash tests: `SAFEGROUND_FAILPOINT=approval.before_commit` (read with the
 * other settings and armed by createServices) makes the process announce the point on stderr and
 * then wait, inside the open transaction, so a test can kill it there and check that nothing of
 * the half-done work survives. Unarmed (always, outside tests), a failpoint costs one comparison.
 */
let armed: string | undefined;

/** Arms the failpoint the settings name (SAFEGROUND_FAILPOINT), or none. */
export function armFailpoint(name: string | undefined): void {
  armed = name;
}

export async function failpoint(name: string): Promise<void> {
  if (armed !== name) return;
  process.stderr.write(`failpoint ${name} reached\n`);
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}
