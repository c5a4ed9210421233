import type { SysvolTreeEntry } from '@coffer/active-directory';
import { type BackupEntry, eventLoopTurns, HRESULT, type OperationContext } from '@coffer/core';
import { type GptEntry, isSettingsFile, type ListedEntry, sha256Hex } from '@coffer/gpmc';
import { parseGptIni } from '../ad/gpt-ini.js';
import type { GpoContainer } from '../ad/read-gpos.js';
import { isStateEntry, listedEntry } from './gpo-state.js';
import { BACKUP_GPT_ROOT, isSecurityTemplate, routeGptPath, splitPassPath } from './gpt-routing.js';
import { ListingCompletion } from './listing-completion.js';
import type { GpoBackupPlan } from './plan.js';
import { collect, drain, emptyContent, tee } from './sysvol-bytes.js';
import type { WritePool } from './write-pool.js';

/** Larger GPT files stream straight from SYSVOL into the backup instead of being held. */
const BUFFERED_FILE_BYTES = 1 << 20;

/**
 * One GPO on its way through the SYSVOL pass: its staged entry (being filled), and the facts the pass collects for its
 * GPMC files: the tree, GPT.INI, GptTmpl.inf, the settings files gpreport.xml decodes, the listing for its change state.
 */
export interface GpoPassItem {
  /** What names the GPO in messages and the result, for the whole run. */
  gpo: GpoNames;
  /**
   * Its AD facts, until its entry is written: then let go (with 10,000 GPOs, holding every container to the commit
   * was most of the backup's memory; see writeGpoBackups).
   */
  container: GpoContainer | null;
  backupId: string;
  /** Its staging folder, being created while the SYSVOL stream starts. */
  staged: Promise<BackupEntry>;
  tree: GptEntry[];
  /**
   * GPT.INI's version, null while none was seen. Read as the file passes: a GPO's folder completes only once the walk
   * (breadth first with smbclient) has passed its deepest folder, so the file itself would wait in memory for every GPO.
   */
  gptIniVersion: number | null;
  gptTmplInf: Buffer | null;
  /** The bytes of the GPT files gpreport.xml's settings are decoded from (GptTmpl.inf, Registry.pol, GPP XML…), held until then. */
  settingsFiles: Map<string, Buffer>;
  seen: boolean;
  /** Its SYSVOL folder has streamed past: its GPMC files may be written. */
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

/** A GPO's id, name and SYSVOL folder. */
export type GpoNames = Pick<GpoContainer, 'id' | 'displayName' | 'sysvolPath'>;

export function newPassItem(gpo: GpoContainer, backupId: string, staged: Promise<BackupEntry>): GpoPassItem {
  return {
    gpo: { id: gpo.id, displayName: gpo.displayName, sysvolPath: gpo.sysvolPath },
    container: gpo,
    backupId,
    staged,
    tree: [],
    gptIniVersion: null,
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
  };
}

/**
 * The SYSVOL pass: streams the selected GPOs' folders (one stream of Policies, or one per GPO) into their staged
 * entries and hands each GPO to `complete` as soon as the stream has moved past its folder (ListingCompletion), so its
 * GPMC files are written while the stream goes on. GPOs whose folder cannot be trusted whole are dropped with an
 * error (`GPT_AMBIGUOUS`, `GPT_LISTING_ORDER`); a GPO never seen is for the commit step to report.
 */
export async function runSysvolPass(
  plan: GpoBackupPlan,
  items: Map<string, GpoPassItem>,
  pool: WritePool,
  complete: (item: GpoPassItem) => Promise<void>,
  context: OperationContext,
): Promise<void> {
  const passes: Array<{ path: string; single: GpoPassItem | null }> = [];
  if (plan.onePass) {
    const parents = new Set(
      [...items.values()].map(({ gpo }) => gpo.sysvolPath.slice(0, gpo.sysvolPath.lastIndexOf('/'))),
    );
    for (const parent of parents) passes.push({ path: parent, single: null });
  } else {
    for (const item of items.values()) passes.push({ path: item.gpo.sysvolPath, single: item });
  }
  const byFolder = new Map(
    [...items.values()].map((item) => [
      item.gpo.sysvolPath.slice(item.gpo.sysvolPath.lastIndexOf('/') + 1).toUpperCase(),
      item,
    ]),
  );
  const finish = async (item: GpoPassItem) => {
    item.finished = true;
    await complete(item);
  };
  // Each entry is written synchronously (core's staging writes small files at once): turns of the event loop let
  // smbclient's output be read meanwhile (it waits on a full pipe otherwise) and a Ctrl-C in.
  const turn = eventLoopTurns();
  for (const pass of passes) {
    if (pass.single && !(await plan.session.sysvol.exists(pass.path))) continue; // reported as GPT_NOT_FOUND
    const completion = new ListingCompletion<GpoPassItem>();
    const early = pass.single === null && plan.early?.path === pass.path ? plan.early : null;
    for await (const found of early
      ? early.entries()
      : plan.session.sysvol.readTree(pass.path, plan.passFolders?.get(pass.path))) {
      await turn();
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

/** Keeps a GPO out of the commit, with an error message naming it (its staging folder goes at close). */
function dropItem(item: GpoPassItem, context: OperationContext, code: string, message: string): void {
  item.dropped = true;
  context.report({
    severity: 'error',
    code,
    message,
    object: `${item.gpo.displayName} ${item.gpo.id}`,
    hresult: HRESULT.ERROR_INVALID_DATA,
  });
}

async function copyEntry(
  item: GpoPassItem,
  inner: string,
  found: SysvolTreeEntry,
  pool: WritePool,
  context: OperationContext,
): Promise<void> {
  if (isStateEntry(inner)) item.listing.push(listedEntry(inner, found));
  const route = routeGptPath(inner);
  if (route === 'gpt-ini' && found.kind === 'file') {
    const gptIni = await collect(found);
    item.gptIniVersion = parseGptIni(gptIni).version;
    item.gptIniHash = { path: inner, sha256: sha256Hex(gptIni) };
    return;
  }
  if (route === 'skip' || route === 'gpt-ini') {
    await drain(found);
    return;
  }
  if (found.kind === 'directory') {
    // Created by the first file written into it, or at the end if it stays empty (the entry step makes those).
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
