import { defineCommand, defineProvider } from '@coffer/core';
import { gpmcManifestIndex } from '@coffer/gpmc';
import { backupGpos } from './backup/backup-gpos.js';
import { PROVIDER_ID } from './provider-id.js';
import { listGpoBackups } from './list/list-gpo-backups.js';
import { liveCommands } from './live/live-commands.js';
import { importGpo } from './import/import-gpo.js';
import { makeMigrationTable } from './import/make-migration-table.js';
import {
  gpoBackupOptions,
  gpoImportOptions,
  gpoMigrationTableOptions,
  gpoRestoreOptions,
  type GpoBackupOptions,
  type GpoRestoreOptions,
} from './options.js';
import { restoreGpos } from './restore/restore-gpos.js';

/** How the examples connect: LDAPS by FQDN, CA verified, password from a 0600 file. */
const CONNECT =
  '--dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem';

/** Group Policy Objects from a live Active Directory (Windows or Samba), as GPMC-compatible backups. */
const provider = defineProvider<GpoBackupOptions, GpoRestoreOptions>({
  specificationVersion: 2,
  id: PROVIDER_ID,
  displayName: 'Group Policy Objects',
  description:
    'Backs up GPOs from Active Directory into GPMC-compatible backups (Import-GPO / Restore-GPO read them), keeping links, WMI filters and full permissions beside the GPMC files.',
  examples: {
    // Each runs as shown: the packaging test runs every --help example against its test DC (the placeholders
    // dc1.corp.example, ~/.pw, /etc/ssl/corp-ca.pem and /srv/backups are mapped there).
    backup: [
      `coffer backup gpo ${CONNECT} --all --out /srv/backups/gpo --comment nightly`,
      `coffer backup gpo ${CONNECT} --gpo "Default Domain Policy" --out /srv/backups/gpo`,
      // After the line above: only GPOs that differ from their newest backup there (none, unless the domain changed).
      `coffer backup gpo ${CONNECT} --all --changed --out /srv/backups/gpo`,
    ],
    restore: [
      `coffer restore gpo ${CONNECT} --gpo "Default Domain Policy" --from /srv/backups/gpo`,
      `coffer restore gpo ${CONNECT} --gpo "Default Domain Policy" --restore-links --restore-wmi-filter --from /srv/backups/gpo`,
      `coffer restore gpo ${CONNECT} --gpo "Default Domain Policy" --restore-links --what-if --from /srv/backups/gpo`,
    ],
  },
  options: gpoBackupOptions,
  restoreOptions: gpoRestoreOptions,
  // manifest.xml, which GPMC reads, lists every backup: core updates it with each commit.
  backupIndex: gpmcManifestIndex(),
  backup: backupGpos,
  restore: restoreGpos,
  list: async (request, context) => listGpoBackups(request, context),
  commands: [
    ...liveCommands,
    defineCommand({
      name: 'import',
      description:
        "Copies the settings of a GPO backup (Coffer's or GPMC's, from any domain) into an existing GPO, which keeps its name, permissions and links (GPMC's Import-GPO); an optional migration table maps principals and UNC paths.",
      options: gpoImportOptions,
      examples: [
        // Run as shown by the packaging test against its test DC (dc1.corp.example, ~/.pw, the CA file and /srv/backups mapped there).
        'coffer gpo import --dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem --from /srv/backups/gpo --gpo "Default Domain Policy" --target-gpo "Default Domain Policy"',
        'coffer gpo import --dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem --from /srv/backups/gpo --gpo "Default Domain Policy" --target-gpo "{31B2F340-016D-11D2-945F-00C04FB984F9}"',
        'coffer gpo import --dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem --from /srv/backups/gpo --gpo "Default Domain Policy" --target-gpo "Baseline Copy" --create-if-needed --what-if',
      ],
      run: importGpo,
    }),
    defineCommand({
      name: 'migration-table',
      description:
        "Writes a GPMC migration table (.migtable) listing every domain principal and UNC path the backups reference, each mapped to itself for you to fill in (GPMC's Migration Table Editor, Populate from backup); import reads it, and so does Windows.",
      options: gpoMigrationTableOptions,
      examples: [
        // Offline: only the backups are read. Run as shown by the packaging test (/srv/backups mapped there).
        'coffer gpo migration-table --from /srv/backups/gpo --out /srv/backups/prod.migtable',
        'coffer gpo migration-table --from /srv/backups/gpo --gpo "Default Domain Policy" --out /srv/backups/ddp.migtable',
      ],
      run: makeMigrationTable,
    }),
  ],
});

export default provider;
export {
  gpoBackupOptions,
  gpoRestoreOptions,
  gpoImportOptions,
  gpoMigrationTableOptions,
  connectionOptions,
  type GpoBackupOptions,
  type GpoRestoreOptions,
  type GpoImportOptions,
  type GpoMigrationTableOptions,
  type ConnectionOptions,
} from './options.js';
export type { GpoImportResult } from './import/import-gpo.js';
export type { GpoChangePlan } from './restore/change-plan.js';
