/**
 * "Save as cabinet" (IGPMStarterGPO::Save): one Starter GPO as a flat .cab file, written atomically: the
 * cabinet is built in a temporary file next to the target, fsynced, then linked (no overwrite: fails if the
 * target appeared meanwhile) or renamed (overwrite) into place. A cancelled or failed save leaves nothing.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  CofferError,
  ErrorCode,
  fsyncDirectory,
  HRESULT,
  pathNotFound,
  toCofferError,
  type OperationContext,
} from '@coffer/core';
import { buildCabinet, type CabCompression, type CabinetFile } from '@coffer/gpmc';
import type { StarterGpoFolder } from '../sysvol/read-starter-gpos.js';
import { CAB_REPORT_NAME, planCabinetNames } from './cabinet-names.js';
import { renderStarterGpoReport } from './starter-gpo-report.js';

export interface SaveCabResult {
  path: string;
  starterGpoId: string;
  displayName: string;
  /** Names inside the cabinet, in order, with sizes. */
  files: Array<{ name: string; size: number; source: string | null }>;
  bytes: number;
}

export function cabinetExists(path: string): CofferError {
  return new CofferError(ErrorCode.AlreadyExists, `The file ${path} already exists.`, {
    hresult: HRESULT.ERROR_FILE_EXISTS,
    object: path,
    hint: 'Choose another file name, or pass --overwrite to replace it.',
  });
}

/** Fails early, before anything is read from the domain, when the cabinet cannot be written where asked. */
export async function checkCabinetTarget(path: string, overwrite: boolean): Promise<string> {
  const target = resolve(path);
  const folder = await stat(dirname(target)).catch(() => undefined);
  if (!folder?.isDirectory())
    throw pathNotFound(dirname(target), 'folder', 'Create the folder first; Coffer never creates it.');
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new CofferError(
      ErrorCode.InvalidArgument,
      `${target} is a folder; give the path of the .cab file to write.`,
      { hresult: HRESULT.E_INVALIDARG, object: target },
    );
  }
  if (existing && !overwrite) throw cabinetExists(target);
  return target;
}

/** The cabinet's files: the Starter GPO's files under GPMC's flat names, then Report.html. */
export function starterGpoCabinetFiles(
  folder: StarterGpoFolder,
  savedAt: Date,
): Array<CabinetFile & { source: string | null }> {
  const paths = folder.snapshot.entries.filter((e) => e.kind === 'file').map((e) => e.path);
  const planned = planCabinetNames(paths);
  const files = planned.map(({ path, name }) => ({
    name,
    data: folder.contents.get(path) ?? Buffer.alloc(0),
    modified: savedAt,
    source: path,
  }));
  const report = Buffer.from(
    renderStarterGpoReport(
      folder.snapshot,
      files.map((f) => ({ name: f.name, size: f.data.length })),
      savedAt,
      {
        files: Object.fromEntries(files.map((f) => [f.name, f.source])),
        directories: folder.snapshot.entries.filter((e) => e.kind === 'dir').map((e) => e.path),
      },
    ),
    'utf8',
  );
  return [...files, { name: CAB_REPORT_NAME, data: report, modified: savedAt, source: null }];
}

export async function saveStarterGpoCab(
  folder: StarterGpoFolder,
  options: { path: string; overwrite: boolean; compression: CabCompression; now?: Date },
  context: Pick<OperationContext, 'throwIfCancelled' | 'progress'>,
): Promise<SaveCabResult> {
  const target = await checkCabinetTarget(options.path, options.overwrite);
  const savedAt = options.now ?? new Date();
  const files = starterGpoCabinetFiles(folder, savedAt);
  context.progress.addTotal(files.length + 1);
  for (const file of files) context.progress.advance(file.name);
  const cabinet = buildCabinet(files, { compression: options.compression });
  context.throwIfCancelled();

  const temp = join(dirname(target), `.${basename(target)}.coffer-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(cabinet);
      await handle.sync();
    } finally {
      await handle.close();
    }
    context.throwIfCancelled();
    if (options.overwrite) {
      await rename(temp, target);
    } else {
      // link() refuses an existing target, so a file that appeared since the first check is never replaced.
      try {
        await link(temp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw cabinetExists(target);
        throw toCofferError(error, target);
      }
      await unlink(temp);
    }
    await fsyncDirectory(dirname(target));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  context.progress.advance(basename(target));
  return {
    path: target,
    starterGpoId: folder.snapshot.id,
    displayName: folder.snapshot.displayName,
    files: files.map((f) => ({ name: f.name, size: f.data.length, source: f.source })),
    bytes: cabinet.length,
  };
}
