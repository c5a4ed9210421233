import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { defineCommand, type ProviderCommand } from '@coffer/core';
import {
  createLicensor,
  createStore,
  describeStore,
  exportLicensor,
  importLicenses,
  importLicensor,
  inspectLicense,
  issueLicenses,
  type IssueLicenseSpec,
  type LicenseSummary,
  listLicenses,
  playLicense,
  removeLicenses,
  setLicenseDisabled,
} from '@coffer/drm-license-store';

/**
 * `coffer drm <command>`: the store's management verbs. Each takes --store and
 * --machine-id (defaults from COFFER_DRM_STORE / COFFER_DRM_MACHINE_ID).
 */
const location = {
  store: z
    .string()
    .min(1)
    .optional()
    .describe('License store folder (default: COFFER_DRM_STORE, else <XDG data>/coffer/drm-store).'),
  machineId: z
    .string()
    .min(1)
    .optional()
    .describe('Machine id (default: COFFER_DRM_MACHINE_ID, else /etc/machine-id).'),
};

const createStoreCommand = defineCommand({
  name: 'create-store',
  description:
    'Create a license store bound to this machine, with a licensor key and the license restore service it backs up to.',
  options: z
    .object({
      ...location,
      servicePath: z
        .string()
        .min(1)
        .optional()
        .describe('License restore service folder (created if missing; default COFFER_DRM_SERVICE).'),
      licensorName: z.string().min(1).optional().describe('Name of the first licensor key.'),
      noLicensor: z.boolean().optional().describe('Create no licensor key.'),
    })
    .strict(),
  examples: ['coffer drm create-store', 'coffer drm create-store --store ./store --service-path ./service'],
  async run(options) {
    const summary = await createStore({ ...options, withLicensor: !options.noLicensor });
    return { data: summary, lines: [`Created license store ${summary.path} (store ${summary.storeId}).`] };
  },
});

const infoCommand = defineCommand({
  name: 'info',
  description: 'Describe the license store: machine, licensors, trusted keys, license count.',
  options: z.object({ ...location }).strict(),
  async run(options) {
    const summary = await describeStore(options);
    return {
      data: summary,
      lines: [
        `Store ${summary.storeId} at ${summary.path}`,
        `  machine ${summary.machine.slice(0, 16)}…, binding ${summary.bindingId}`,
        `  ${summary.licenses} license(s); licensors: ${summary.licensors.map((l) => `${l.name} (${l.id})`).join(', ') || 'none'}`,
      ],
    };
  },
});

const createLicensorCommand = defineCommand({
  name: 'create-licensor',
  description: 'Create a new licensor key (Ed25519 signing key and key seed) in the store.',
  options: z.object({ ...location, name: z.string().min(1).optional() }).strict(),
  async run(options) {
    const licensor = await createLicensor(options);
    return { data: licensor, lines: [`Created licensor ${licensor.name} (${licensor.id}).`] };
  },
});

const exportLicensorCommand = defineCommand({
  name: 'export-licensor',
  description:
    'Write a licensor key file: public only (to trust it in another store) or with the private key (to issue there).',
  options: z
    .object({
      ...location,
      out: z.string().min(1).describe('File to write (mode 0600).'),
      licensorId: z.string().min(1).optional(),
      includePrivateKey: z.boolean().optional(),
    })
    .strict(),
  async run(options) {
    const text = await exportLicensor(options);
    await writeFile(options.out, text, { mode: 0o600, flag: 'wx' });
    return { data: { out: options.out }, lines: [`Wrote ${options.out}.`] };
  },
});

const importLicensorCommand = defineCommand({
  name: 'import-licensor',
  description:
    'Import a licensor key file: a private key becomes a licensor of this store, a public key becomes trusted.',
  options: z.object({ ...location, file: z.string().min(1) }).strict(),
  async run(options) {
    const result = await importLicensor({
      ...options,
      text: await readFile(options.file, 'utf8'),
      where: options.file,
    });
    return {
      data: result,
      lines: [`${result.canIssue ? 'Imported licensor' : 'Now trusting licensor'} ${result.name} (${result.id}).`],
    };
  },
});

const issueCommand = defineCommand({
  name: 'issue',
  description:
    'Issue signed licenses bound to this machine (rights Play/Copy/Backup, counts, dates). AllowBackupRestore is forced off with a play count.',
  options: z
    .object({
      ...location,
      kid: z.string().min(1).optional().describe('Content key id (default: a new random one per license).'),
      lid: z.string().min(1).optional().describe('License id (default: a new GUID). Only with count 1.'),
      priority: z.number().int().min(0).optional(),
      title: z.string().optional(),
      play: z.boolean().optional().describe('Grant Play (default true).'),
      playCount: z.number().int().min(1).optional(),
      copy: z.boolean().optional(),
      copyCount: z.number().int().min(1).optional(),
      allowBackupRestore: z.boolean().optional(),
      beginDate: z.string().optional().describe('ISO 8601 date.'),
      expirationDate: z.string().optional().describe('ISO 8601 date.'),
      expireAfterFirstUseHours: z.number().int().min(1).optional(),
      persistent: z.boolean().optional().describe('Default true; false issues a non-persistent license.'),
      licensorId: z.string().min(1).optional(),
      count: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .optional()
        .describe('Issue this many licenses with the same terms (default 1).'),
    })
    .strict()
    .refine((o) => !(o.lid !== undefined && (o.count ?? 1) > 1), { message: 'lid needs count 1', path: ['lid'] }),
  examples: ['coffer drm issue --kid abc== --allow-backup-restore --title "Song"', 'coffer drm issue --play-count 3'],
  async run(options, context) {
    const { store, machineId, licensorId, count, ...terms } = options;
    const spec: IssueLicenseSpec = { ...terms };
    const issued = await issueLicenses({
      ...(store === undefined ? {} : { store }),
      ...(machineId === undefined ? {} : { machineId }),
      ...(licensorId === undefined ? {} : { licensorId }),
      licenses: Array.from({ length: count ?? 1 }, () => ({ ...spec })),
    });
    for (const note of new Set(issued.flatMap((i) => i.notes)))
      context.report({ severity: 'warning', code: 'DRM_BACKUP_RIGHT_FORCED_OFF', message: note });
    return {
      data: issued,
      lines: issued
        .slice(0, 20)
        .map((i) => `Issued ${i.lid} for KID ${i.kid} (${i.rights.join(', ')}).`)
        .concat(issued.length > 20 ? [`… ${issued.length} in all.`] : []),
    };
  },
});

const importCommand = defineCommand({
  name: 'import',
  description: 'Import license XML files bound to this store (for example saved from inspect --xml).',
  options: z.object({ ...location, files: z.array(z.string().min(1)).min(1) }).strict(),
  async run(options) {
    const xml = await Promise.all(options.files.map((f) => readFile(f, 'utf8')));
    const imported = await importLicenses({ ...options, xml });
    return { data: imported, lines: imported.map(formatSummary) };
  },
});

const listCommand = defineCommand({
  name: 'list',
  description: 'List licenses (sorted by KID, then priority) with their rights, state and backup eligibility.',
  options: z
    .object({ ...location, kid: z.string().min(1).optional(), limit: z.number().int().min(0).optional() })
    .strict(),
  async run(options) {
    const result = await listLicenses(options);
    return { data: result, lines: [...result.licenses.map(formatSummary), `${result.total} license(s).`] };
  },
});

const inspectCommand = defineCommand({
  name: 'inspect',
  description: 'Show one license: rights, conditions, state, signature (re-checked), binding and XML.',
  options: z.object({ ...location, lid: z.string().min(1) }).strict(),
  async run(options) {
    const inspection = await inspectLicense(options);
    return {
      data: inspection,
      lines: [
        formatSummary(inspection),
        `signature now: ${inspection.signatureNow}; bound here: ${inspection.boundHere}`,
        inspection.xml,
      ],
    };
  },
});

const removeCommand = defineCommand({
  name: 'remove',
  description: 'Remove licenses by LID, or every license of a KID.',
  options: z
    .object({ ...location, lid: z.array(z.string().min(1)).optional(), kid: z.string().min(1).optional() })
    .strict(),
  async run(options) {
    const result = await removeLicenses({ ...options, ...(options.lid === undefined ? {} : { lids: options.lid }) });
    return { data: result, lines: [`Removed ${result.removed} license(s).`] };
  },
});

const playCommand = defineCommand({
  name: 'play',
  description:
    'Play content once: the best license of the KID (or the given LID) is checked, its key unwrapped, and the play recorded.',
  options: z.object({ ...location, kid: z.string().min(1).optional(), lid: z.string().min(1).optional() }).strict(),
  async run(options) {
    const result = await playLicense(options);
    return {
      data: result,
      lines: [
        `Played with ${result.lid}: ${result.plays} play(s)${result.playsLeft === null ? '' : `, ${result.playsLeft} left`}.`,
      ],
    };
  },
});

const disableCommand = defineCommand({
  name: 'disable',
  description: 'Disable a license (it cannot play nor be backed up); --enable turns it back on.',
  options: z.object({ ...location, lid: z.string().min(1), enable: z.boolean().optional() }).strict(),
  async run(options) {
    const state = await setLicenseDisabled({ ...options, disabled: !options.enable });
    return { data: state, lines: [`License ${options.lid} is ${state.disabled ? 'disabled' : 'enabled'}.`] };
  },
});

function formatSummary(s: LicenseSummary): string {
  const counts = Object.entries(s.counts)
    .map(([r, n]) => `${r}×${n}`)
    .join(' ');
  return `${s.kid}  ${s.lid}  p${s.priority}  ${s.rights.join('+') || 'no rights'}${counts ? ` (${counts})` : ''}  plays ${s.state.plays}  backup: ${s.backup}  play: ${s.play}${s.title ? `  "${s.title}"` : ''}`;
}

// biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
export const managementCommands: ProviderCommand<any>[] = [
  createStoreCommand,
  infoCommand,
  createLicensorCommand,
  exportLicensorCommand,
  importLicensorCommand,
  issueCommand,
  importCommand,
  listCommand,
  inspectCommand,
  removeCommand,
  playCommand,
  disableCommand,
];
