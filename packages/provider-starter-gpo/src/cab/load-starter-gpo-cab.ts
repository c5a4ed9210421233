/**
 * "Load Cabinet" (GPMC's Starter GPOs node; the reverse of IGPMStarterGPO::Save): creates the Starter GPO a
 * cabinet holds in `<sysvol>/<dns domain>/StarterGPOs/{GUID}`, under the GUID its StarterGPO.tmplx names. The
 * cabinet is read and checked whole before the domain is touched; a Starter GPO with that GUID already there is
 * replaced only with `overwrite` (keeping its folder ACL; a cabinet carries none), through the same staged swap
 * as a restore.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CofferError, HRESULT, pathNotFound, toCofferError, type OperationContext } from '@coffer/core';
import { readCabinet } from '@coffer/gpmc';
import { openDomain } from '../ad/domain-session.js';
import { starterGpoLabel } from '../model/starter-gpo.js';
import type { LoadCabOptions } from '../options.js';
import { parseLocalizedTemplate, resolveLocalized, type LocalizedTemplate } from '../template/localized-template.js';
import {
  LOCALIZED_TEMPLATE_FILE_NAME,
  parseStarterGpoTemplate,
  TEMPLATE_FILE_NAME,
} from '../template/starter-gpo-template.js';
import { writeStarterGpoFolder, type StarterGpoContent } from '../restore/starter-gpo-swap.js';
import { layOutStarterGpoCabinet } from './cabinet-paths.js';

export interface LoadCabResult {
  cab: string;
  starterGpoId: string;
  displayName: string;
  /** `<dns>/StarterGPOs/{GUID}`, relative to the SYSVOL share. */
  sharePath: string;
  replaced: boolean;
  /** Files written, with their cabinet names. */
  files: Array<{ path: string; name: string; size: number }>;
  directories: string[];
  bytes: number;
  /** Whether the paths came from the map in Coffer's Report.html (exact) or from GPMC's naming rules. */
  pathsFrom: 'coffer-path-map' | 'naming-rules';
}

const GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;

function notAStarterGpoCab(cab: string, detail: string): CofferError {
  return new CofferError('CAB_NOT_A_STARTER_GPO', `${cab} does not hold a Starter GPO: ${detail}`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: cab,
    hint: 'Load a cabinet saved from a Starter GPO (GPMC "Save as Cabinet" or coffer starter-gpo save-cab).',
  });
}

/** The cabinet as Starter GPO content, checked: a readable tmplx naming a GUID. */
export async function readStarterGpoCab(
  path: string,
): Promise<{ content: StarterGpoContent; pathsFrom: LoadCabResult['pathsFrom']; cabinetNames: Map<string, string> }> {
  const cab = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(cab);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw pathNotFound(cab, 'cabinet file', 'Check the path of the .cab file.');
    throw toCofferError(error, cab);
  }
  const layout = layOutStarterGpoCabinet(readCabinet(bytes, cab), cab);
  const template = layout.files.find((file) => file.path.toLowerCase() === TEMPLATE_FILE_NAME.toLowerCase());
  if (!template) throw notAStarterGpoCab(cab, `it has no ${TEMPLATE_FILE_NAME}.`);
  let parsed;
  try {
    parsed = parseStarterGpoTemplate(template.data, `${cab}: ${template.name}`);
  } catch (error) {
    throw notAStarterGpoCab(cab, (error as Error).message);
  }
  if (parsed.id === null || !GUID.test(parsed.id.trim()))
    throw notAStarterGpoCab(
      cab,
      `its ${TEMPLATE_FILE_NAME} names no Starter GPO GUID (ID ${JSON.stringify(parsed.id)}).`,
    );
  const localized: LocalizedTemplate[] = [];
  for (const file of layout.files) {
    const parts = file.path.split('/');
    if (parts.length !== 2 || parts[1]!.toLowerCase() !== LOCALIZED_TEMPLATE_FILE_NAME.toLowerCase()) continue;
    try {
      localized.push(parseLocalizedTemplate(file.data, parts[0]!, `${cab}: ${file.name}`));
    } catch {
      // A broken tmpll only costs the display name its translation; it is still written as it is.
    }
  }
  const id = parsed.id.trim();
  return {
    content: {
      id,
      folderName: id,
      displayName: resolveLocalized(parsed.displayName, 'displayName', localized) ?? '',
      entries: [
        ...layout.directories.map((path) => ({ path, kind: 'dir' as const })),
        ...layout.files.map((file) => ({ path: file.path, kind: 'file' as const })),
      ],
      contents: new Map(layout.files.map((file) => [file.path, file.data])),
    },
    pathsFrom: layout.fromPathMap ? 'coffer-path-map' : 'naming-rules',
    cabinetNames: new Map(layout.files.map((file) => [file.path, file.name])),
  };
}

export async function loadStarterGpoCab(options: LoadCabOptions, context: OperationContext): Promise<LoadCabResult> {
  context.progress.phase('reading cabinet');
  const cab = resolve(options.cab);
  const { content, pathsFrom, cabinetNames } = await readStarterGpoCab(cab);
  const label = starterGpoLabel({ displayName: content.displayName, id: content.id });
  if (pathsFrom === 'naming-rules') {
    context.report({
      severity: 'info',
      code: 'CAB_PATHS_BY_RULE',
      message: `${cab} was not saved by Coffer: its flat names were placed by GPMC's naming rules (e.g. Machine_Registry.pol → Machine/registry.pol).`,
      object: cab,
    });
  }
  context.throwIfCancelled();
  context.progress.phase('connecting');
  const domain = await openDomain(options, context);
  try {
    const fileCount = content.entries.filter((e) => e.kind === 'file').length;
    context.progress.phase('writing Starter GPO', fileCount + 1);
    const written = await writeStarterGpoFolder(
      { domain, content, acl: { kind: 'keep-or-inherit' }, overwrite: options.overwrite === true, label },
      context,
    );
    context.report({
      severity: 'info',
      code: 'STARTER_GPO_LOADED',
      message: `Loaded ${label} from ${cab} into ${written.sharePath}${written.replaced ? ', replacing the existing one' : ''}.`,
      object: content.id,
    });
    context.progress.finish();
    return {
      cab,
      starterGpoId: content.id,
      displayName: content.displayName,
      sharePath: written.sharePath,
      replaced: written.replaced,
      files: content.entries
        .filter((e) => e.kind === 'file')
        .map((e) => ({
          path: e.path,
          name: cabinetNames.get(e.path) ?? e.path,
          size: content.contents.get(e.path)?.length ?? 0,
        })),
      directories: content.entries.filter((e) => e.kind === 'dir').map((e) => e.path),
      bytes: written.bytes,
      pathsFrom,
    };
  } finally {
    await domain.close();
  }
}
