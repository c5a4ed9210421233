import { CofferError, HRESULT } from '@coffer/core';
import { AdErrorCode } from '../errors.js';

/** A folder on an SMB share, as `//server/share/path` (or `\\server\share\path`, as Windows writes it) names it. */
export interface SmbShareLocation {
  server: string;
  share: string;
  /** The folder inside the share, `/`-separated, no leading or trailing slash; `''` is the share's root. */
  folder: string;
  /** `//server/share/folder`, for messages. */
  display: string;
}

/** Whether a `--out`/`--from` value names an SMB share rather than a local folder: it starts with `//` or `\\`. */
export function isSmbSharePath(text: string): boolean {
  return /^(\/\/|\\\\)[^/\\]/.test(text);
}

/**
 * Splits `//server/share/path` (either slash) into its parts. Refuses what smbclient commands could not carry
 * safely (`"`, `;`, line breaks) and any `.`/`..` step, so the path can never leave the folder it names.
 */
export function parseSmbSharePath(text: string): SmbShareLocation {
  if (!isSmbSharePath(text)) throw badSharePath(text, 'it does not start with // or \\\\');
  const parts = text
    .slice(2)
    .split(/[/\\]+/)
    .filter((part) => part !== '');
  const [server, share, ...rest] = parts;
  if (server === undefined || share === undefined) throw badSharePath(text, 'it names no share');
  if (parts.some((part) => part === '.' || part === '..')) throw badSharePath(text, 'it has a . or .. step');
  if (/[";\r\n\0]/.test(text))
    throw badSharePath(text, 'it contains " ; or a line break, which smbclient cannot carry');
  const folder = rest.join('/');
  return { server, share, folder, display: `//${server}/${share}${folder === '' ? '' : `/${folder}`}` };
}

function badSharePath(text: string, why: string): CofferError {
  return new CofferError(AdErrorCode.UnsupportedPath, `${JSON.stringify(text)} is not an SMB share path: ${why}.`, {
    hresult: HRESULT.ERROR_BAD_PATHNAME,
    object: text,
    hint: 'Write it as //server/share/folder (or \\\\server\\share\\folder).',
  });
}

/** `folder/name` inside the share (`name` alone at the share's root). */
export function inShareFolder(location: SmbShareLocation, name: string): string {
  return location.folder === '' ? name : `${location.folder}/${name}`;
}
