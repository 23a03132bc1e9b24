// A separate process that approves one report and is killed by the crash test while the
// approval's transaction is open (SAFEGROUND_FAILPOINT=approval.before_commit).
import { settingsFromEnv } from '../../../src/config.ts';
import { connect } from '../../../src/db/connect.ts';
import { createServices } from '../../../src/services/index.ts';

const [reportId, actorId] = process.argv.slice(2);
const settings = settingsFromEnv();
const database = await connect({
  url: settings.databaseUrl,
  dataDir: settings.dataDir,
  pool: settings.dbPool,
});
const services = createServices(database, settings);
process.stderr.write('child ready\n');
await services.reports.approve(
  { id: actorId!, email: 'approver', role: 'approver', organisationId: null },
  reportId!,
  [],
);
process.stderr.write('child approved\n');
await database.close();
