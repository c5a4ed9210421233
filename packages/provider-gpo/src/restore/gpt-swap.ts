import { randomBytes } from 'node:crypto';
import type { SysvolWriteEntry } from '@coffer/active-directory';
import type { OperationContext } from '@coffer/core';
import type { DomainSession } from '../ad/domain-session.js';

/** A GPT written beside its final place, waiting to be swapped in. */
export interface StagedGpt {
  /** The GPT's final path below the share, `<domain>/Policies/{GUID}`. */
  target: string;
  staged: string;
  /** Everything written below `staged`, parents first. */
  written: string[];
}

function sibling(target: string, kind: 'staging' | 'replaced'): string {
  const slash = target.lastIndexOf('/');
  const name = target.slice(slash + 1);
  // Names starting with '.coffer-' are Coffer's own scratch folders, never GPOs (GPO folders are {GUID}).
  return `${target.slice(0, slash)}/.coffer-${kind}-${name}-${randomBytes(4).toString('hex')}`;
}

/** Writes the GPT into a scratch folder beside its final place. Nothing a client reads has changed yet. */
export async function stageGpt(session: DomainSession, target: string, entries: AsyncIterable<SysvolWriteEntry>): Promise<StagedGpt> {
  const staged = sibling(target, 'staging');
  const written: string[] = [];
  async function* recording(): AsyncGenerator<SysvolWriteEntry> {
    for await (const entry of entries) {
      written.push(entry.path);
      yield entry;
    }
  }
  try {
    await session.sysvol.writeTree(staged, recording());
  } catch (error) {
    await discardStagedGpt(session, { staged });
    throw error;
  }
  return { target, staged, written };
}

/**
 * Gives the staged GPT its ACL: the folder and every file and folder in it get the same explicit ACL, as
 * Samba's `ntacl sysvolreset` leaves a GPT (inheriting it would not do: Samba mangles inherited object
 * ACEs on files). Returns false, with a warning, when SYSVOL refuses ACLs (a local SYSVOL without Samba's tools).
 */
export async function applyGptAcl(session: DomainSession, staged: StagedGpt, sddl: string, context: OperationContext, object: string): Promise<boolean> {
  try {
    await session.sysvol.writeAcl(staged.staged, sddl);
  } catch (error) {
    context.report({
      severity: 'warning',
      code: 'SYSVOL_ACL_NOT_SET',
      message: `The permissions of the GPT folder of ${object} could not be set (${(error as Error).message}); it keeps the permissions SYSVOL gives new folders. Run 'samba-tool ntacl sysvolreset' on the DC to fix them.`,
      object,
    });
    return false;
  }
  for (const path of staged.written) {
    context.throwIfCancelled();
    await session.sysvol.writeAcl(`${staged.staged}/${path}`, sddl);
  }
  return true;
}

export async function discardStagedGpt(session: DomainSession, staged: Pick<StagedGpt, 'staged'>): Promise<void> {
  await session.sysvol.removeTree(staged.staged, { missingOk: true }).catch(() => undefined);
}

/**
 * The commit point: the live GPT (if any) is renamed aside, the staged one renamed into its place, the
 * old Adm folder (GPMC never backs it up) moved over, the old GPT removed. If the second rename fails the
 * first is undone, so the GPT is either wholly old or wholly new.
 */
export async function swapInStagedGpt(session: DomainSession, staged: StagedGpt, context: OperationContext, object: string): Promise<void> {
  const { sysvol } = session;
  const exists = await sysvol.exists(staged.target);
  const replaced = sibling(staged.target, 'replaced');
  if (exists) await sysvol.rename(staged.target, replaced);
  try {
    await sysvol.rename(staged.staged, staged.target);
  } catch (error) {
    // The swap's own error is what the user must see; a failed undo is reported beside it, with where the old GPT is.
    if (exists) {
      await sysvol.rename(replaced, staged.target).catch((rollback: unknown) =>
        context.report({
          severity: 'error',
          code: 'ROLLBACK_FAILED',
          message: `Putting the GPT of ${object} back failed after the swap failed: ${(rollback as Error).message} The previous GPT is at ${replaced}.`,
          object,
        }),
      );
    }
    throw error;
  }
  if (!exists) return;
  if (await sysvol.exists(`${replaced}/Adm`)) {
    await sysvol.rename(`${replaced}/Adm`, `${staged.target}/Adm`).catch((error: Error) =>
      context.report({ severity: 'warning', code: 'ADM_NOT_KEPT', message: `The Adm folder of ${object} could not be moved into the restored GPT: ${error.message}`, object }),
    );
  }
  await sysvol.removeTree(replaced).catch((error: Error) =>
    context.report({ severity: 'warning', code: 'OLD_GPT_LEFT', message: `The replaced GPT of ${object} is left at ${replaced}: ${error.message}`, object }),
  );
}
