import { readFile } from 'node:fs/promises';
import { CofferError, HRESULT } from '@coffer/core';
import { sha256Hex } from './primitives.js';

export const MACHINE_ID_ENV = 'COFFER_DRM_MACHINE_ID';
const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];

/**
 * The machine's identity: a configured id (option, then COFFER_DRM_MACHINE_ID), else
 * systemd's /etc/machine-id. Tests simulate several machines by configuring ids.
 */
export async function resolveMachineId(configured?: string): Promise<string> {
  const explicit = configured ?? process.env[MACHINE_ID_ENV];
  if (explicit !== undefined && explicit.trim() !== '') return explicit.trim();
  for (const file of MACHINE_ID_FILES) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text?.trim()) return text.trim();
  }
  throw new CofferError(
    'DRM_MACHINE_ID_UNKNOWN',
    'This machine has no machine id (/etc/machine-id is missing or empty).',
    {
      hresult: HRESULT.E_INVALIDARG,
      hint: `Run 'systemd-machine-id-setup', or configure one with the machineId option or ${MACHINE_ID_ENV}.`,
    },
  );
}

/** What stores, licenses and the restore ledger record of a machine: a hash, never the id itself. */
export function machineHash(machineId: string): string {
  return sha256Hex(`coffer-drm/machine\0${machineId.trim().toLowerCase()}`);
}
