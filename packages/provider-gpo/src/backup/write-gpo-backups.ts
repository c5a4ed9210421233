import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { aceSid, isDomainSid, toSddl, type SysvolTreeEntry } from '@coffer/active-directory';
import {
  BACKUP_READ_LIMITS,
  CofferError,
  HRESULT,
  type BackupOutput,
  type BackupRecord,
  type OperationContext,
  type BackupEntry,
  type BackupTarget,
} from '@coffer/core';
import {
  buildAdmxCatalog,
  buildSecurityGroups,
  buildSettingsReport,
  decodeInfText,
  formatGpmcHex,
  toGpmcDaclOnlyDescriptor,
  gptSourceFromFiles,
  isSettingsFile,
  renderGpreportSettingsXml,
  type AdmxCatalog,
  type AdmxFilePair,
  renderBackupXml,
  backupInstOf,
  renderBkupInfoXmlForInst,
  renderGpReportXml,
  templatePrincipalReferences,
  type GpoBackupModel,
  type GptEntry,
  type ResolvedAccount,
  CHANGE_STATE_FILE,
  CHANGE_STATE_FORMAT,
  recordListing,
  renderChangeState,
  sha256Hex,
  type ListedEntry,
} from '@coffer/gpmc';
import type { DomainSession } from '../ad/domain-session.js';
import { parseGptIni } from '../ad/gpt-ini.js';
import type { GpoContainer } from '../ad/read-gpos.js';
import { canonicalPathOf } from '../ad/read-links.js';
import { displayNameOfSid, resolveDomainSids } from '../ad/resolve-principals.js';
import { parseGpcWqlFilter } from '../ad/wmi-filter.js';
import {
  GPO_EXTRAS_FILE,
  GPO_EXTRAS_FORMAT,
  renderGpoExtras,
  type GpoLinkRecord,
  type WmiFilterRecord,
} from '../extras/gpo-extras.js';
import type { EarlyTree } from './early-tree.js';
import { gpoAdDigest, isStateEntry, listedEntry } from './gpo-state.js';
import { ListingCompletion } from './listing-completion.js';
import { BACKUP_GPT_ROOT, isSecurityTemplate, routeGptPath, splitPassPath } from './gpt-routing.js';
import { WritePool } from './write-pool.js';

export const PROVIDER_ID = 'gpo';
/** File-system tasks in flight at once: enough to keep libuv's thread pool (4 threads by default) busy with the larger files. */
const CONCURRENT_WRITES = 16;
/** Content read off SYSVOL and rendered but not yet written, at most. */
const HELD_BYTES = 16 << 20;
/** Larger GPT files stream straight from SYSVOL into the backup instead of being held. */
const BUFFERED_FILE_BYTES = 1 << 20;

export interface GpoBackupPlan {
  session: DomainSession;
  gpos: GpoContainer[];
  links: Map<string, GpoLinkRecord[]>;
  wmiFilters: Map<string, WmiFilterRecord>;
  accounts: Map<string, ResolvedAccount>;
  /** The destination core opened and locked; it keeps manifest.xml (the provider's backupIndex) at each commit. */
  target: BackupTarget;
  comment: string;
  /** Read the whole Policies folder in one pass instead of one pass per GPO (cheaper for many GPOs). */
  onePass: boolean;
  /** A one-pass stream already started (backing up every GPO); used when its folder is the one to read. */
  early?: EarlyTree | null;
  /** Taken before any SYSVOL read of the run began: each backup's change state is judged against it. */
  readStartedAt: Date;
}

/** What the SYSVOL pass collected for one GPO while streaming its files into the staged backup. */
interface GpoInProgress {
  gpo: GpoContainer;
  backupId: string;
  /** Its staging folder, being created while the SYSVOL stream starts. */
  staged: Promise<BackupEntry>;
  tree: GptEntry[];
  gptIni: Buffer | null;
  gptTmplInf: Buffer | null;
  /** The bytes of the GPT files gpreport.xml's settings are decoded from (GptTmpl.inf, Registry.pol, GPP XML…), held until then. */
  settingsFiles: Map<string, Buffer>;
  seen: boolean;
  /** Its SYSVOL folder has streamed past and its GPMC files are being written. */
  finished: boolean;
  /** The SYSVOL folder name its entries came under (one pass over Policies); a second name is a case-differing twin. */
  folder: string | null;
  /** Not to be committed (two folders claimed it, or its listing came back after it was complete). */
  dropped: boolean;
  files: number;
  bytes: number;
  /** Its folder's entries as read (names, sizes, times), for the change state (`--changed` reads it next time). */
  listing: ListedEntry[];
  /** GPT.INI's SHA-256: the backup keeps its version, not the file, so the integrity manifest has no hash of it. */
  gptIniHash: { path: string; sha256: string } | null;
}

/**
 * Streams every selected GPO's SYSVOL folder into a staged GPMC backup, adds Backup.xml,
 * bkupInfo.xml, gpreport.xml and Coffer's extras, and commits them all at once with
 * manifest.xml updated. A cancel or failure before the commit leaves the directory as it was.
 *
 * Creating files is what costs (each is a journalled metadata operation), so it overlaps the
 * SYSVOL stream rather than following it: staging folders are made while smbclient connects,
 * and a GPO's GPMC files are written as soon as the stream has moved past its folder.
 */
export async function writeGpoBackups(plan: GpoBackupPlan, context: OperationContext): Promise<BackupOutput> {
  const { session } = plan;
  const destination = plan.target;
  const pool = new WritePool(CONCURRENT_WRITES, HELD_BYTES);
  const inProgress = new Map<string, GpoInProgress>();
  try {
    // The GPOs' units were announced with the plan; files are named as they pass (their number is not known yet).
    context.progress.phase('copying SYSVOL');
    const backupTime = new Date();
    for (const gpo of plan.gpos) {
      const backupId = `{${randomUUID().toUpperCase()}}`;
      const staged = destination.stage(backupId, {
        kind: 'gpo',
        metadata: { gpoId: gpo.id, displayName: gpo.displayName, domain: session.dnsDomain },
      });
      // Awaited by the GPO's first write; a failure surfaces there (or at the end for a GPO never seen).
      staged.catch(() => undefined);
      inProgress.set(gpo.id.toUpperCase(), {
        gpo,
        backupId,
        staged,
        tree: [],
        gptIni: null,
        gptTmplInf: null,
        settingsFiles: new Map(),
        seen: false,
        finished: false,
        folder: null,
        dropped: false,
        files: 0,
        bytes: 0,
        listing: [],
        gptIniHash: null,
      });
    }
    // Started now so it overlaps the SYSVOL stream; awaited only by a GPO with a Registry.pol.
    void centralStore(plan, context);
    const finish = async (item: GpoInProgress) => {
      item.finished = true;
      await writeGpmcFiles(plan, item, backupTime, pool, context);
    };
    await copySysvol(plan, inProgress, pool, finish, context);

    const backups: BackupRecord[] = [];
    const ready: BackupEntry[] = [];
    let files = 0;
    let bytes = 0;
    for (const item of inProgress.values()) {
      if (!item.seen) {
        context.report({
          severity: 'error',
          code: 'GPT_NOT_FOUND',
          message: `GPO ${item.gpo.displayName} has no SYSVOL folder at ${item.gpo.sysvolPath}; it was not backed up.`,
          object: `${item.gpo.displayName} ${item.gpo.id}`,
          hresult: HRESULT.ERROR_PATH_NOT_FOUND,
        });
        context.progress.advance(item.gpo.displayName);
        continue;
      }
      if (item.dropped) {
        if (!item.finished) context.progress.advance(item.gpo.displayName);
        continue;
      }
      ready.push(await item.staged);
      files += item.files;
      bytes += item.bytes;
      backups.push({
        id: item.backupId,
        path: join(destination.path, item.backupId),
        kind: 'gpo',
        objectId: item.gpo.id,
        objectName: item.gpo.displayName,
      });
    }
    await pool.drain();
    const all = await Promise.all([...inProgress.values()].map((item) => item.staged));
    if (ready.length === 0 && plan.gpos.length > 0) {
      throw new CofferError('NOTHING_BACKED_UP', 'None of the selected GPOs could be backed up.', {
        hresult: HRESULT.E_FAIL,
        hint: 'See the status messages for each GPO.',
      });
    }
    context.throwIfCancelled();
    context.progress.phase('committing');
    // GPOs left out (no SYSVOL folder, dropped with an error) are discarded, not committed by core after we return.
    const readySet = new Set(ready);
    await Promise.all(all.filter((entry) => !readySet.has(entry)).map((entry) => entry.discard()));
    await destination.commit(ready);
    context.progress.advance('manifest.xml');
    return { backups, counts: { gpos: backups.length, files, bytes } };
  } finally {
    // In-flight writes (and staging folders still being made) finish before close() removes the staging folders.
    await pool.settle();
    await Promise.allSettled([...inProgress.values()].map((item) => item.staged));
    // The central store's read (started for the reports) ends before the run does: no smbclient left behind.
    await centralStores.get(plan);
  }
}

/** Keeps a GPO out of the commit, with an error message naming it (its staging folder goes at close). */
function dropItem(item: GpoInProgress, context: OperationContext, code: string, message: string): void {
  item.dropped = true;
  context.report({
    severity: 'error',
    code,
    message,
    object: `${item.gpo.displayName} ${item.gpo.id}`,
    hresult: HRESULT.ERROR_INVALID_DATA,
  });
}

async function copySysvol(
  plan: GpoBackupPlan,
  inProgress: Map<string, GpoInProgress>,
  pool: WritePool,
  finish: (item: GpoInProgress) => Promise<void>,
  context: OperationContext,
): Promise<void> {
  const passes: Array<{ path: string; single: GpoInProgress | null }> = [];
  if (plan.onePass) {
    const parents = new Set(plan.gpos.map((g) => g.sysvolPath.slice(0, g.sysvolPath.lastIndexOf('/'))));
    for (const parent of parents) passes.push({ path: parent, single: null });
  } else {
    for (const item of inProgress.values()) passes.push({ path: item.gpo.sysvolPath, single: item });
  }
  const byFolder = new Map(
    [...inProgress.values()].map((item) => [
      item.gpo.sysvolPath.slice(item.gpo.sysvolPath.lastIndexOf('/') + 1).toUpperCase(),
      item,
    ]),
  );
  for (const pass of passes) {
    if (pass.single && !(await plan.session.sysvol.exists(pass.path))) continue; // reported as GPT_NOT_FOUND
    const completion = new ListingCompletion<GpoInProgress>();
    const early = pass.single === null && plan.early?.path === pass.path ? plan.early : null;
    for await (const found of early ? early.entries() : plan.session.sysvol.readTree(pass.path)) {
      context.throwIfCancelled();
      const { gpoKey, inner } = splitPassPath(found.path, pass.single !== null);
      const item = pass.single ?? (gpoKey === null ? undefined : byFolder.get(gpoKey));
      for (const done of completion.next(found.path, found.kind === 'directory', item))
        if (!done.dropped) await finish(done);
      if (!item || item.dropped) {
        await drain(found);
        continue; // a GPO folder that was not selected, or an orphan folder without a container
      }
      const folder = pass.single ? null : found.path.split('/', 1)[0]!;
      if (folder !== null && item.folder !== null && folder !== item.folder) {
        // A case-sensitive SYSVOL holding {GUID} and {guid}: merging them could mix two different GPTs.
        dropItem(
          item,
          context,
          'GPT_AMBIGUOUS',
          `GPO ${item.gpo.displayName} has two SYSVOL folders under ${pass.path} (${item.folder} and ${folder}, names differing only in case); it was not backed up.`,
        );
        await drain(found);
        continue;
      }
      item.folder ??= folder;
      if (item.finished) {
        // Never seen with smbclient's or the local walk's order; a listing in another order must not yield a partial GPT.
        dropItem(
          item,
          context,
          'GPT_LISTING_ORDER',
          `The SYSVOL listing returned to GPO ${item.gpo.displayName} after its folder seemed complete; it was not backed up. Back it up on its own (--gpo).`,
        );
        await drain(found);
        continue;
      }
      item.seen = true;
      if (inner === '') {
        await drain(found);
        continue;
      }
      await copyEntry(item, inner, found, pool, context);
    }
    for (const done of completion.end()) if (!done.dropped) await finish(done);
  }
}

async function copyEntry(
  item: GpoInProgress,
  inner: string,
  found: SysvolTreeEntry,
  pool: WritePool,
  context: OperationContext,
): Promise<void> {
  if (isStateEntry(inner)) item.listing.push(listedEntry(inner, found));
  const route = routeGptPath(inner);
  if (route === 'gpt-ini' && found.kind === 'file') {
    item.gptIni = await collect(found);
    item.gptIniHash = { path: inner, sha256: sha256Hex(item.gptIni) };
    return;
  }
  if (route === 'skip' || route === 'gpt-ini') {
    await drain(found);
    return;
  }
  if (found.kind === 'directory') {
    // Created by the first file written into it, or at the end if it stays empty (createEmptyFolders).
    item.tree.push({ path: inner, kind: 'dir' });
    return;
  }
  if (found.size <= BUFFERED_FILE_BYTES) {
    // Read off the SYSVOL stream now, written beside other files while the stream moves on.
    const content = await collect(found);
    if (isSecurityTemplate(inner)) item.gptTmplInf = content;
    if (isSettingsFile(inner)) item.settingsFiles.set(inner, content);
    item.tree.push({ path: inner, kind: 'file', size: content.length });
    item.files += 1;
    item.bytes += content.length;
    const label = `${item.gpo.displayName}: ${inner}`;
    await pool.run(async () => {
      await (await item.staged).writeFile(`${BACKUP_GPT_ROOT}/${inner}`, content);
      context.progress.working(label);
    }, content.length);
    return;
  }
  const keep: Buffer[] | null = isSecurityTemplate(inner) || isSettingsFile(inner) ? [] : null;
  const written = await (await item.staged).writeFile(
    `${BACKUP_GPT_ROOT}/${inner}`,
    tee(found.content ?? emptyContent(), keep),
  );
  if (keep && isSecurityTemplate(inner)) item.gptTmplInf = Buffer.concat(keep);
  if (keep && isSettingsFile(inner)) item.settingsFiles.set(inner, Buffer.concat(keep));
  item.tree.push({ path: inner, kind: 'file', size: written.size });
  item.files += 1;
  item.bytes += written.size;
  context.progress.working(`${item.gpo.displayName}: ${inner}`);
}

async function writeGpmcFiles(
  plan: GpoBackupPlan,
  item: GpoInProgress,
  backupTime: Date,
  pool: WritePool,
  context: OperationContext,
): Promise<void> {
  const { session } = plan;
  const { gpo } = item;
  const object = `${gpo.displayName} ${gpo.id}`;
  const { descriptor } = gpo;
  const daclOnly = toGpmcDaclOnlyDescriptor(descriptor);
  if (item.gptIni === null) {
    context.report({
      severity: 'warning',
      code: 'GPT_INI_MISSING',
      message: `GPO ${gpo.displayName} has no GPT.INI; its SYSVOL version is taken as 0.`,
      object,
    });
  }
  const wmiLink = parseGpcWqlFilter(gpo.wqlFilter);
  const wmiFilter = wmiLink ? (plan.wmiFilters.get(wmiLink.id.toUpperCase()) ?? null) : null;
  if (wmiLink && !wmiFilter) {
    context.report({
      severity: 'warning',
      code: 'WMI_FILTER_MISSING',
      message: `GPO ${gpo.displayName} links WMI filter ${wmiLink.id}, which does not exist.`,
      object,
    });
  }
  // Principals named in GptTmpl.inf may not be in the DACL: resolve those too before building SecurityGroups.
  if (item.gptTmplInf) {
    const extra = templatePrincipalReferences(decodeInfText(item.gptTmplInf))
      .map((reference) => reference.sid)
      .filter((sid): sid is string => sid !== null && isDomainSid(sid) && !plan.accounts.has(sid));
    if (extra.length > 0)
      for (const [sid, account] of await resolveDomainSids(session, extra)) plan.accounts.set(sid, account);
  }
  const model: GpoBackupModel = {
    backupId: item.backupId,
    backupTime,
    comment: plan.comment,
    gpoId: gpo.id,
    domain: session.dnsDomain,
    domainGuid: session.domainGuid,
    domainController: session.dcHostName,
    displayName: gpo.displayName,
    flags: gpo.flags,
    versionNumber: gpo.versionNumber,
    gptIniVersion: item.gptIni ? parseGptIni(item.gptIni).version : 0,
    machineExtensionNames: gpo.machineExtensionNames,
    userExtensionNames: gpo.userExtensionNames,
    wmiFilter: wmiLink ? { domain: wmiLink.domain, id: wmiLink.id, name: wmiFilter?.name ?? '' } : null,
    securityDescriptor: daclOnly,
    securityGroups: buildSecurityGroups({
      gptTmplInf: item.gptTmplInf,
      securityDescriptor: daclOnly,
      resolve: (sid) => plan.accounts.get(sid),
    }),
    filePaths: [],
    gptTree: item.tree,
  };
  const sddlOptions = { domainSid: session.domainSid };
  const links = plan.links.get(gpo.id.toUpperCase()) ?? [];
  const reportDescriptor = { ...descriptor, sacl: undefined, control: { ...descriptor.control, saclPresent: false } };
  const settings = await gpoSettings(plan, item, context);
  const report = renderGpReportXml(model, {
    extensionData: settings,
    createdTime: gpo.whenCreated,
    modifiedTime: gpo.whenChanged,
    readTime: backupTime,
    sddl: toSddl(reportDescriptor, sddlOptions),
    ...(descriptor.owner
      ? { owner: { sid: descriptor.owner, name: displayNameOfSid(descriptor.owner, plan.accounts) } }
      : {}),
    ...(descriptor.group
      ? { group: { sid: descriptor.group, name: displayNameOfSid(descriptor.group, plan.accounts) } }
      : {}),
    ...(wmiFilter ? { wmiFilterDescription: wmiFilter.description } : {}),
    links: links.map((link) => ({
      somName: link.somName,
      somPath: link.somType === 'domain' ? session.dnsDomain : canonicalPathOf(link.somDn, session.dnsDomain),
      enabled: link.enabled,
      noOverride: link.enforced,
    })),
  });
  const extras = renderGpoExtras({
    format: GPO_EXTRAS_FORMAT,
    version: 1,
    gpo: {
      id: gpo.id,
      dn: gpo.dn,
      displayName: gpo.displayName,
      flags: gpo.flags,
      versionNumber: gpo.versionNumber,
      gptIniVersion: model.gptIniVersion,
      machineExtensionNames: gpo.machineExtensionNames,
      userExtensionNames: gpo.userExtensionNames,
      fileSysPath: gpo.fileSysPath,
      wqlFilter: gpo.wqlFilter,
      whenCreated: gpo.whenCreatedText,
      whenChanged: gpo.whenChangedText,
    },
    securityDescriptor: {
      hex: formatGpmcHex(gpo.securityDescriptor),
      sddl: toSddl(descriptor, sddlOptions),
      saclIncluded: gpo.saclIncluded,
    },
    links,
    wmiFilter,
  });
  const inst = backupInstOf(model);
  const state = renderChangeState({
    format: CHANGE_STATE_FORMAT,
    version: 1,
    objectId: gpo.id,
    adDigest: gpoAdDigest(gpo, links, wmiFilter),
    readStartedAt: plan.readStartedAt.toISOString(),
    contentRoot: BACKUP_GPT_ROOT,
    listing: recordListing(
      item.listing,
      new Map(item.gptIniHash ? [[item.gptIniHash.path, item.gptIniHash.sha256]] : []),
    ),
  });
  item.listing = [];
  const files: Array<[string, string | Uint8Array]> = [
    ['Backup.xml', renderBackupXml(model)],
    ['bkupInfo.xml', renderBkupInfoXmlForInst(inst)],
    ['gpreport.xml', report],
    [GPO_EXTRAS_FILE, extras],
    [CHANGE_STATE_FILE, state],
  ];
  const held = files.reduce(
    (sum, [, content]) => sum + (typeof content === 'string' ? content.length * 2 : content.length),
    0,
  );
  await pool.run(async () => {
    const entry = await item.staged;
    await createFolders(item, entry);
    for (const [name, content] of files) await entry.writeFile(name, content);
    // Sealed (integrity manifest written) here, beside other GPOs' writes, rather than one by one in commit;
    // manifest.xml lists this <BackupInst> at commit without reading bkupInfo.xml back.
    await entry.seal(inst);
    context.progress.advance(gpo.displayName);
  }, held);
}

/**
 * The settings GPMC lists in gpreport.xml's <ExtensionData>, decoded from the bytes the SYSVOL pass held for them
 * (nothing is read again). Administrative Template policies are named from the domain's central store when the GPO
 * has a Registry.pol; a file that cannot be decoded is a warning and leaves only its own settings out.
 */
async function gpoSettings(
  plan: GpoBackupPlan,
  item: GpoInProgress,
  context: OperationContext,
): Promise<{ computer: string; user: string }> {
  const { gpo } = item;
  const files = item.tree.filter((entry) => entry.kind === 'file').map((entry) => entry.path);
  const hasRegistryPol = [...item.settingsFiles.keys()].some((path) => /^(machine|user)\/registry\.pol$/i.test(path));
  const admx = hasRegistryPol ? await centralStore(plan, context) : undefined;
  const settings = await buildSettingsReport(gptSourceFromFiles(item.settingsFiles, files), {
    ...(admx ? { admx } : {}),
    resolve: (sid) => plan.accounts.get(sid),
    machineExtensionNames: gpo.machineExtensionNames,
    userExtensionNames: gpo.userExtensionNames,
  });
  item.settingsFiles.clear();
  for (const issue of settings.issues) {
    context.report({
      severity: 'warning',
      code: 'GPO_SETTINGS_UNREADABLE',
      message: `GPO ${gpo.displayName}: ${issue.file} could not be decoded for gpreport.xml (${issue.code}: ${issue.message}); the file itself is backed up.`,
      object: `${gpo.displayName} ${gpo.id}`,
    });
  }
  return renderGpreportSettingsXml(settings);
}

const centralStores = new WeakMap<GpoBackupPlan, Promise<AdmxCatalog | undefined>>();

/**
 * The domain's central store (`Policies/PolicyDefinitions`: *.admx and en-US/*.adml), read once per backup run and
 * only when a GPO has a Registry.pol. No store: policies stay "Extra Registry Settings", as in GPMC.
 */
function centralStore(plan: GpoBackupPlan, context: OperationContext): Promise<AdmxCatalog | undefined> {
  let pending = centralStores.get(plan);
  if (pending === undefined) {
    pending = readCentralStore(plan).catch((error: unknown) => {
      context.report({
        severity: 'warning',
        code: 'ADMX_STORE_UNREADABLE',
        message: `The central store of administrative templates could not be read (${(error as Error).message}); gpreport.xml lists Registry.pol values without policy names.`,
      });
      return undefined;
    });
    centralStores.set(plan, pending);
  }
  return pending;
}

async function readCentralStore(plan: GpoBackupPlan): Promise<AdmxCatalog | undefined> {
  const path = `${plan.session.dnsDomain}/Policies/PolicyDefinitions`;
  if (!(await plan.session.sysvol.exists(path))) return undefined;
  const admx = new Map<string, Buffer>();
  const adml = new Map<string, Buffer>();
  for await (const found of plan.session.sysvol.readTree(path)) {
    const lower = found.path.toLowerCase();
    // Over the XML bound the reader would refuse it anyway: never held (the policies it defines stay unnamed).
    if (found.kind === 'file' && found.size > BACKUP_READ_LIMITS.maxXmlBytes) await drain(found);
    else if (found.kind === 'file' && /^[^/]+\.admx$/.test(lower)) admx.set(lower.slice(0, -5), await collect(found));
    else if (found.kind === 'file' && /^en-us\/[^/]+\.adml$/.test(lower))
      adml.set(lower.slice(6, -5), await collect(found));
    else await drain(found);
  }
  const pairs: AdmxFilePair[] = [...admx.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, bytes]) => ({ file: `${name}.admx`, admx: bytes, adml: adml.get(name) ?? null }));
  return buildAdmxCatalog(pairs);
}

/** Every GPT folder, empty ones too: the staged entry makes each folder once, so those a file went into cost nothing here. */
async function createFolders(item: GpoInProgress, staged: BackupEntry): Promise<void> {
  for (const entry of item.tree) if (entry.kind === 'dir') await staged.mkdir(`${BACKUP_GPT_ROOT}/${entry.path}`);
}

async function* tee(content: AsyncIterable<Uint8Array>, keep: Buffer[] | null): AsyncGenerator<Uint8Array> {
  for await (const chunk of content) {
    if (keep) keep.push(Buffer.from(chunk));
    yield chunk;
  }
}

async function collect(found: SysvolTreeEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of found.content ?? emptyContent()) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function drain(found: SysvolTreeEntry): Promise<void> {
  if (found.content) for await (const _chunk of found.content) void _chunk;
}

async function* emptyContent(): AsyncGenerator<Uint8Array> {}

/** All domain SIDs a set of GPO descriptors names (DACL trustees, owner, group). */
export function domainSidsOf(gpos: readonly GpoContainer[]): Set<string> {
  const sids = new Set<string>();
  for (const gpo of gpos) {
    const sd = gpo.descriptor;
    for (const sid of [sd.owner, sd.group, ...(sd.dacl?.aces ?? []).map(aceSid)]) {
      if (sid && isDomainSid(sid)) sids.add(sid);
    }
  }
  return sids;
}
