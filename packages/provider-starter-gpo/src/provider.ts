import {
  defineCommand,
  defineProvider,
  SPECIFICATION_VERSION,
  type BackupOutput,
  type BackupRequest,
  type OperationContext,
} from '@coffer/core';
import { gpmcManifestIndex } from '@coffer/gpmc';
import { detectChangedStarterGpos } from './backup/changed-starter-gpos.js';
import { writeStarterGpoBackups } from './backup/write-starter-gpo-backups.js';
import { checkCabinetTarget, saveStarterGpoCab } from './cab/save-starter-gpo-cab.js';
import { openDomain, type OpenedDomain } from './ad/domain-session.js';
import { listStarterGpoBackups } from './list/list-starter-gpo-backups.js';
import { starterGpoLabel } from './model/starter-gpo.js';
import { loadStarterGpoCab } from './cab/load-starter-gpo-cab.js';
import {
  backupOptionsSchema,
  loadCabOptionsSchema,
  restoreOptionsSchema,
  saveCabOptionsSchema,
  type LoadCabOptions,
  type SaveCabOptions,
  type StarterGpoBackupOptions,
  type StarterGpoConnectionOptions,
  type StarterGpoRestoreOptions,
} from './options.js';
import { restoreStarterGpos } from './restore/restore-starter-gpos.js';
import { selectStarterGpos } from './select/select-starter-gpos.js';
import {
  noStarterGposFolder,
  readFolderAcl,
  readStarterGpoCatalog,
  type StarterGpoCatalog,
  type StarterGpoFolder,
} from './sysvol/read-starter-gpos.js';

export const PROVIDER_ID = 'starter-gpo';

async function withDomain<T>(
  options: StarterGpoConnectionOptions,
  context: OperationContext,
  body: (domain: OpenedDomain, catalog: StarterGpoCatalog, readStartedAt: Date) => Promise<T>,
): Promise<T> {
  context.progress.phase('connecting');
  const domain = await openDomain(options, context);
  try {
    context.throwIfCancelled();
    context.progress.phase('reading Starter GPOs');
    // Taken before the read: a backup's change state says the folder was as recorded at least from this moment.
    const readStartedAt = new Date();
    const catalog = await readStarterGpoCatalog(domain.sysvol, domain.source.domain, context);
    return await body(domain, catalog, readStartedAt);
  } finally {
    await domain.close();
  }
}

/** The named Starter GPOs (NOT_FOUND/AMBIGUOUS otherwise), or all of them; each with its folder ACL read. */
async function chooseStarterGpos(
  requested: readonly string[] | 'all',
  domain: OpenedDomain,
  catalog: StarterGpoCatalog,
  context: OperationContext,
): Promise<StarterGpoFolder[]> {
  if (!catalog.folderExists && requested !== 'all')
    throw noStarterGposFolder(domain.source.domain, catalog.sharePath, domain.sysvol.location);
  const chosen =
    requested === 'all'
      ? catalog.starterGpos
      : selectStarterGpos(
          catalog.starterGpos.map((folder) => ({
            id: folder.snapshot.id,
            displayName: folder.snapshot.displayName,
            folder,
          })),
          requested,
          domain.source.domain,
        ).map((match) => match.folder);
  for (const folder of chosen) {
    context.throwIfCancelled();
    folder.snapshot.acl = await readFolderAcl(domain.sysvol, folder.snapshot.sharePath, domain.aclSource, context);
  }
  return chosen;
}

/**
 * `--changed`: the Starter GPOs that differ from their newest backup in the destination (backup/changed-starter-gpos.ts
 * says what counts). Each decision is reported: STARTER_GPO_UNCHANGED (info) for those left out, STARTER_GPO_CHANGED
 * (info, with the reason) for those backed up, and PREVIOUS_BACKUP_UNUSABLE as a warning: a damaged newest backup
 * deserves a look.
 */
async function onlyChanged(
  folders: StarterGpoFolder[],
  directory: string,
  domain: OpenedDomain,
  context: OperationContext,
): Promise<StarterGpoFolder[]> {
  if (folders.length === 0) return folders;
  context.progress.phase('comparing with the newest backups');
  const decisions = await detectChangedStarterGpos(folders, {
    directory,
    domain: domain.source.domain,
    signal: context.signal,
  });
  // The GPO provider's words and codes (GPO_UNCHANGED / GPO_CHANGED there), PREVIOUS_BACKUP_UNUSABLE shared.
  const changed = new Set<string>();
  folders.forEach((folder, index) => {
    const decision = decisions[index]!;
    const label = starterGpoLabel(folder.snapshot);
    const object = folder.snapshot.id;
    if (!decision.changed)
      context.report({
        severity: 'info',
        code: 'STARTER_GPO_UNCHANGED',
        message: `Starter GPO ${label} was not backed up: ${decision.reason}.`,
        object,
      });
    else {
      changed.add(folder.snapshot.id);
      context.report(
        decision.code === 'PREVIOUS_BACKUP_UNUSABLE'
          ? { severity: 'warning', code: decision.code, message: `Starter GPO ${label}: ${decision.reason}.`, object }
          : {
              severity: 'info',
              code: 'STARTER_GPO_CHANGED',
              message: `Starter GPO ${label} is backed up: ${decision.reason}.`,
              object,
            },
      );
    }
  });
  return folders.filter((folder) => changed.has(folder.snapshot.id));
}

async function backupStarterGpos(
  request: BackupRequest<StarterGpoBackupOptions>,
  context: OperationContext,
): Promise<BackupOutput> {
  const { options } = request;
  return withDomain(options, context, async (domain, catalog, readStartedAt) => {
    const selected = await chooseStarterGpos(
      options.all === true ? 'all' : (options.starterGpo ?? []),
      domain,
      catalog,
      context,
    );
    const chosen =
      options.changed === true ? await onlyChanged(selected, request.target.path, domain, context) : selected;
    const unchanged = selected.length - chosen.length;
    if (!catalog.folderExists) {
      context.report({
        severity: 'info',
        code: 'NO_STARTER_GPOS',
        message: `The domain ${domain.source.domain} has no StarterGPOs folder, so there is no Starter GPO to back up.`,
        object: catalog.sharePath,
      });
    } else if (selected.length === 0) {
      context.report({
        severity: 'info',
        code: 'NO_STARTER_GPOS',
        message: `The StarterGPOs folder of ${domain.source.domain} holds no Starter GPO, so there is nothing to back up.`,
        object: catalog.sharePath,
      });
    }
    if (chosen.length === 0) {
      context.progress.finish();
      return { backups: [], counts: { starterGpos: 0, files: 0, bytes: 0, ...(options.changed ? { unchanged } : {}) } };
    }
    const fileCount = chosen.reduce(
      (total, f) => total + f.snapshot.entries.filter((e) => e.kind === 'file').length,
      0,
    );
    context.progress.phase('writing backups', fileCount + chosen.length);
    const written = await writeStarterGpoBackups(
      {
        target: request.target,
        comment: request.comment ?? '',
        source: domain.source,
        starterGpos: chosen,
        readStartedAt,
      },
      context,
    );
    for (const folder of chosen) {
      context.report({
        severity: 'info',
        code: 'STARTER_GPO_BACKED_UP',
        message: `Backed up ${starterGpoLabel(folder.snapshot)}.`,
        object: folder.snapshot.id,
      });
    }
    context.progress.finish();
    return {
      backups: written.backups,
      counts: {
        starterGpos: written.backups.length,
        files: written.files,
        bytes: written.bytes,
        ...(options.changed ? { unchanged } : {}),
      },
    };
  });
}

export const saveCabCommand = defineCommand<SaveCabOptions>({
  name: 'save-cab',
  description: 'Save one Starter GPO as a .cab file, as GPMC\'s "Save as Cabinet" (IGPMStarterGPO::Save) does.',
  options: saveCabOptionsSchema,
  examples: [
    // Run as shown by the packaging test against its test DC (dc1.corp.example, ~/.pw, the CA file and the SYSVOL path mapped there).
    'coffer starter-gpo save-cab --dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem --starter-gpo "Browser Defaults" --out browser-defaults.cab',
    'coffer starter-gpo save-cab --sysvol /var/lib/samba/sysvol --domain corp.example --smb-conf /etc/samba/smb.conf --starter-gpo "Browser Defaults" --out browser-defaults.cab --overwrite',
  ],
  async run(options, context) {
    // Refuse an impossible target before touching the domain.
    await checkCabinetTarget(options.out, options.overwrite === true);
    return withDomain(options, context, async (domain, catalog) => {
      const [folder] = await chooseStarterGpos([options.starterGpo], domain, catalog, context);
      context.progress.phase('writing cabinet');
      const saved = await saveStarterGpoCab(
        folder!,
        { path: options.out, overwrite: options.overwrite === true, compression: options.compression ?? 'mszip' },
        context,
      );
      context.progress.finish();
      return {
        data: saved,
        lines: [
          `Saved ${starterGpoLabel(folder!.snapshot)} to ${saved.path} (${saved.files.length} files, ${saved.bytes} bytes).`,
        ],
      };
    });
  },
});

export const loadCabCommand = defineCommand<LoadCabOptions>({
  name: 'load-cab',
  description:
    'Create a Starter GPO from a .cab file, as GPMC\'s "Load Cabinet" does; --overwrite replaces one with the same GUID.',
  options: loadCabOptionsSchema,
  examples: [
    'coffer starter-gpo load-cab --dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem --cab browser-defaults.cab --overwrite',
    'coffer starter-gpo load-cab --sysvol /var/lib/samba/sysvol --domain corp.example --smb-conf /etc/samba/smb.conf --cab browser-defaults.cab --overwrite',
  ],
  async run(options, context) {
    const loaded = await loadStarterGpoCab(options, context);
    return {
      data: loaded,
      lines: [
        `Loaded ${loaded.displayName} ${loaded.starterGpoId} into ${loaded.sharePath}${loaded.replaced ? ' (replaced the existing one)' : ''}: ${loaded.files.length} files, ${loaded.bytes} bytes.`,
      ],
    };
  },
});

/** How the examples connect: LDAPS by FQDN, CA verified, password from a 0600 file. */
const CONNECT =
  '--dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem';

/** The Starter GPO provider: backups like IGPMStarterGPO::Backup, restore, listing, `save-cab` and `load-cab`. */
export const starterGpoProvider = defineProvider<StarterGpoBackupOptions, StarterGpoRestoreOptions>({
  specificationVersion: SPECIFICATION_VERSION,
  id: PROVIDER_ID,
  displayName: 'Starter GPOs',
  description:
    'Backs up Starter GPOs from SYSVOL (SMB or a local path) into a GPMC backup directory, keeping every file byte for byte and the folder ACL, and restores them; saves one as a .cab file and loads one from a .cab file.',
  // Each runs as shown: the packaging test runs every --help example against its test DC.
  examples: {
    backup: [
      `coffer backup starter-gpo ${CONNECT} --all --out /srv/backups/gpo`,
      // Only those that differ from their newest backup in the directory (see the README, "What counts as a change").
      `coffer backup starter-gpo ${CONNECT} --all --changed --out /srv/backups/gpo`,
    ],
    restore: [
      `coffer restore starter-gpo ${CONNECT} --all --from /srv/backups/gpo`,
      // The plan (what would be replaced, created, added, changed, removed), nothing written.
      `coffer restore starter-gpo ${CONNECT} --all --what-if --from /srv/backups/gpo`,
    ],
  },
  options: backupOptionsSchema,
  restoreOptions: restoreOptionsSchema,
  // manifest.xml, which GPMC reads, lists every backup: core updates it with each commit.
  backupIndex: gpmcManifestIndex(),
  backup: (request, context) => backupStarterGpos(request, context),
  restore: (request, context) => restoreStarterGpos(request, context),
  list: (request, context) =>
    listStarterGpoBackups(request.source, request.query, (message) => context.report(message), context.signal),
  commands: [saveCabCommand, loadCabCommand],
});
