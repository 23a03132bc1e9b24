import type { Settings } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { REGISTERS } from '../domain/records.ts';
import { AccountService } from './accounts.ts';
import { AttachmentService } from './attachments.ts';
import { DeviceService } from './devices.ts';
import { ExportService } from './exports.ts';
import { armFailpoint } from './failpoints.ts';
import { FieldSyncService } from './field-sync.ts';
import { ImportService } from './imports.ts';
import { NotificationService } from './notifications.ts';
import { OutputService } from './outputs/index.ts';
import { type Keyring, loadKeyring } from './personal-data.ts';
import { PlanningService } from './planning/index.ts';
import { PublicService } from './public.ts';
import { RegisterService } from './registers.ts';
import { ReportAttachmentService } from './report-attachments.ts';
import { ReportService } from './reports.ts';
import { TileService } from './tiles.ts';
import { UploadService } from './uploads.ts';

/** The services of one running application, each given only what it uses. */
export interface Services {
  keyring: Keyring;
  reports: ReportService;
  registers: Map<string, RegisterService>;
  attachments: AttachmentService;
  reportAttachments: ReportAttachmentService;
  imports: ImportService;
  exports: ExportService;
  tiles: TileService;
  publicData: PublicService;
  accounts: AccountService;
  notifications: NotificationService;
  planning: PlanningService;
  outputs: OutputService;
  uploads: UploadService;
  devices: DeviceService;
  fieldSync: FieldSyncService;
}

export function createServices(database: Database, settings: Settings): Services {
  armFailpoint(settings.failpoint);
  const keyring = loadKeyring(settings);
  const reports = new ReportService(database, keyring, settings.duplicates);
  const registers = new Map(
    REGISTERS.map((def) => [def.slug, new RegisterService(database, def, reports, keyring)]),
  );
  const attachments = new AttachmentService(database, settings.attachmentsDir, {
    evidence: settings.evidence,
    registers,
  });
  const reportAttachments = new ReportAttachmentService(
    database,
    reports,
    settings.attachmentsDir,
    attachments,
  );
  return {
    keyring,
    reports,
    registers,
    attachments,
    reportAttachments,
    imports: new ImportService(database, keyring),
    exports: new ExportService(registers),
    tiles: new TileService(database, registers, settings.tileCacheBytes),
    publicData: new PublicService(database, settings.publicHexagonM),
    accounts: new AccountService(database),
    notifications: new NotificationService(database, reports),
    planning: new PlanningService(database),
    outputs: new OutputService(database, registers, attachments),
    uploads: new UploadService(database, settings.attachmentsDir, reportAttachments),
    devices: new DeviceService(database),
    fieldSync: new FieldSyncService(database, registers),
  };
}
