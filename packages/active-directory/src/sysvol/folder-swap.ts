import { randomBytes } from 'node:crypto';
import type { StatusMessage } from '@coffer/core';
import type { SysvolSource, SysvolWriteEntry } from './sysvol-source.js';

/**
 * Replacing a SYSVOL folder (a GPO's GPT, a Starter GPO's folder) so that clients see it wholly old or wholly new:
 * the new content is written into a scratch folder beside it, then swapped in by two renames. The one folder swap of
 * both Group Policy providers. Scratch folders start with `.coffer-` and are never GPO folders (those are `{GUID}`).
 */
export const STAGING_PREFIX = '.coffer-staging-';
export const REPLACED_PREFIX = '.coffer-replaced-';

/** A scratch folder beside `target` (`<parent>/.coffer-staging-<name>-<random>`), where `name` defaults to the target's own. */
export function scratchFolderBeside(target: string, kind: 'staging' | 'replaced', name?: string): string {
  const slash = target.lastIndexOf('/');
  return `${target.slice(0, slash)}/${kind === 'staging' ? STAGING_PREFIX : REPLACED_PREFIX}${name ?? target.slice(slash + 1)}-${randomBytes(4).toString('hex')}`;
}

/** Whether a folder name is a scratch folder of the object `name` names (a leftover of an interrupted swap). */
export function isScratchFolderOf(folderName: string, name: string): boolean {
  return (
    (folderName.startsWith(STAGING_PREFIX) || folderName.startsWith(REPLACED_PREFIX)) &&
    folderName.toLowerCase().includes(name.toLowerCase())
  );
}

/** A folder's new content, written beside its final place and waiting to be swapped in ({@link swapInFolder}). */
export interface StagedFolder {
  /** The folder's final path below the share. */
  target: string;
  /** The scratch folder holding the new content. */
  staged: string;
  /** Everything written below `staged`, relative to it, in the order written (parents first). */
  written: string[];
}

/**
 * Writes a folder's new content into a scratch folder beside `target` (`name` names it, default the target's own):
 * nothing a client reads has changed yet. `prepare` runs on the empty scratch folder first (a Starter GPO's ACL goes on
 * before its files, so they inherit it over SMB as they did). On any failure, a cancel included, the scratch folder
 * is removed and the error thrown: the live folder is as it was.
 */
export async function stageFolder(
  sysvol: SysvolSource,
  target: string,
  entries: Iterable<SysvolWriteEntry> | AsyncIterable<SysvolWriteEntry>,
  options: { name?: string; prepare?: (staged: string) => Promise<void> } = {},
): Promise<StagedFolder> {
  const staged = scratchFolderBeside(target, 'staging', options.name);
  const written: string[] = [];
  async function* recording(): AsyncGenerator<SysvolWriteEntry> {
    for await (const entry of entries) {
      written.push(entry.path);
      yield entry;
    }
  }
  try {
    if (options.prepare) {
      await sysvol.writeTree(staged, []);
      await options.prepare(staged);
    }
    await sysvol.writeTree(staged, recording());
  } catch (error) {
    await discardStagedFolder(sysvol, staged);
    throw error;
  }
  return { target, staged, written };
}

/** Removes a staged folder that will not be swapped in; best effort (a leftover is recognisable by its name). */
export async function discardStagedFolder(sysvol: SysvolSource, staged: string): Promise<void> {
  await sysvol.removeTree(staged, { missingOk: true }).catch(() => undefined);
}

/**
 * The commit point: the live folder (if any) is renamed aside, the staged one renamed into its place. If the second
 * rename fails the first is undone (a failed undo is reported as ROLLBACK_FAILED beside the swap's own error, naming
 * where the old content is). Returns the folder holding the replaced content, or null when there was none: the
 * caller takes what it keeps from it, then calls {@link removeReplacedFolder}.
 */
export async function swapInFolder(
  sysvol: SysvolSource,
  staged: string,
  target: string,
  context: { report(message: StatusMessage): void },
  what: string,
): Promise<string | null> {
  const exists = await sysvol.exists(target);
  const replaced = scratchFolderBeside(target, 'replaced');
  if (exists) await sysvol.rename(target, replaced);
  try {
    await sysvol.rename(staged, target);
  } catch (error) {
    if (exists) {
      await sysvol.rename(replaced, target).catch((rollback: unknown) =>
        context.report({
          severity: 'error',
          code: 'ROLLBACK_FAILED',
          message: `Putting ${what} back failed after the swap failed: ${(rollback as Error).message} The previous content is at ${replaced}.`,
          object: replaced,
        }),
      );
    }
    throw error;
  }
  return exists ? replaced : null;
}

/** Removes the replaced content after a swap; a failure is a REPLACED_FOLDER_LEFT warning (the swap itself stands). */
export async function removeReplacedFolder(
  sysvol: SysvolSource,
  replaced: string,
  context: { report(message: StatusMessage): void },
  what: string,
): Promise<void> {
  await sysvol.removeTree(replaced).catch((error: unknown) =>
    context.report({
      severity: 'warning',
      code: 'REPLACED_FOLDER_LEFT',
      message: `${what} was replaced, but its previous content could not be removed from ${replaced}: ${(error as Error).message}`,
      object: replaced,
    }),
  );
}
