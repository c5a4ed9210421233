import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CofferError, ErrorCode, HRESULT, pathNotFound, toCofferError } from '@coffer/core';

const HINT = 'Name the folder holding the backups (the --out of coffer backup).';

/** What a path that is not a folder is, in words a person checks with `ls -l`. */
function kindOf(info: {
  isFile(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (info.isFile()) return 'a file';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a folder';
}

/**
 * Why `path` cannot be read as a folder of backups, checked once before any provider is asked (so `coffer list`
 * says it once, not once per provider), or undefined when it is a folder. A missing folder is not created by
 * reading commands, so the hint names the folder to give rather than suggesting to create one.
 */
export async function backupFolderProblem(path: string): Promise<CofferError | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return pathNotFound(path, 'backup directory', HINT);
    if (code === 'ENOTDIR') {
      return new CofferError(
        ErrorCode.PathNotFound,
        `The backup directory ${path} does not exist: part of its path is a file, not a folder.`,
        { hresult: HRESULT.ERROR_PATH_NOT_FOUND, object: path, hint: HINT, cause: error },
      );
    }
    return toCofferError(error, path);
  }
  if (info.isDirectory()) return undefined;
  const kind = kindOf(info);
  return new CofferError(ErrorCode.NotADirectory, `${path} is ${kind}, not a folder of backups.`, {
    hresult: HRESULT.ERROR_DIRECTORY,
    object: path,
    hint: info.isFile()
      ? `Name the folder that holds it (${dirname(path)}), or the folder the backups were written to (the --out of coffer backup).`
      : HINT,
  });
}
