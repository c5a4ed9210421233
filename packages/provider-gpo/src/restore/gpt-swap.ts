import {
  discardStagedFolder,
  removeReplacedFolder,
  stageFolder,
  swapInFolder,
  type StagedFolder,
  type SysvolWriteEntry,
} from '@coffer/active-directory';
import type { OperationContext } from '@coffer/core';
import type { DomainSession } from '../ad/domain-session.js';

/** A GPT written beside its final place (`<domain>/Policies/{GUID}`), waiting to be swapped in. */
export type StagedGpt = StagedFolder;

/** Writes the GPT into a scratch folder beside its final place (active-directory's stageFolder). Nothing a client reads has changed yet. */
export async function stageGpt(
  session: DomainSession,
  target: string,
  entries: AsyncIterable<SysvolWriteEntry>,
): Promise<StagedGpt> {
  return stageFolder(session.sysvol, target, entries);
}

/**
 * Gives the staged GPT its ACL: the folder and every file and folder in it get the same explicit ACL, as
 * Samba's `ntacl sysvolreset` leaves a GPT (inheriting it would not do: Samba mangles inherited object
 * ACEs on files). Returns false, with a warning, when SYSVOL refuses ACLs (a local SYSVOL without Samba's tools).
 */
export async function applyGptAcl(
  session: DomainSession,
  staged: StagedGpt,
  sddl: string,
  context: OperationContext,
  object: string,
): Promise<boolean> {
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
  await discardStagedFolder(session.sysvol, staged.staged);
}

/**
 * The commit point (active-directory's folder swap, shared with the Starter GPO provider): the staged GPT replaces the
 * live one, wholly or not at all; the old Adm folder (GPMC never backs it up) is moved over, then the old GPT removed.
 */
export async function swapInStagedGpt(
  session: DomainSession,
  staged: StagedGpt,
  context: OperationContext,
  object: string,
): Promise<void> {
  const { sysvol } = session;
  const replaced = await swapInFolder(sysvol, staged.staged, staged.target, context, `the GPT of ${object}`);
  if (replaced === null) return;
  if (await sysvol.exists(`${replaced}/Adm`)) {
    await sysvol.rename(`${replaced}/Adm`, `${staged.target}/Adm`).catch((error: Error) =>
      context.report({
        severity: 'warning',
        code: 'ADM_NOT_KEPT',
        message: `The Adm folder of ${object} could not be moved into the restored GPT: ${error.message}`,
        object,
      }),
    );
  }
  await removeReplacedFolder(sysvol, replaced, context, `The GPT of ${object}`);
}
