/**
 * The integrity manifest Coffer writes last into every backup it commits: every file
 * with size and SHA-256, every folder (empty ones matter for GPMC inventories).
 * Its presence is what makes a backup complete; verify re-hashes against it.
 */
export const INTEGRITY_MANIFEST_NAME = 'coffer-manifest.json';
export const INTEGRITY_MANIFEST_FORMAT = 'coffer-integrity-manifest';

export interface ManifestFile {
  /** Path inside the backup, `/`-separated, exactly as named (case, spaces, Unicode). */
  path: string;
  size: number;
  sha256: string;
}

export interface IntegrityManifest {
  format: typeof INTEGRITY_MANIFEST_FORMAT;
  version: 1;
  provider: string;
  /** The backup's id (its folder name). */
  id: string;
  kind: string;
  createdAt: string;
  /** The user's comment (`--comment`), stored by core for every provider. */
  comment?: string;
  directories: string[];
  files: ManifestFile[];
  /** Provider facts worth keeping with the checksums (object id, name...). */
  metadata?: Record<string, string | number | boolean>;
}

export function parseIntegrityManifest(text: string, where: string): IntegrityManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  const manifest = value as Partial<IntegrityManifest>;
  if (manifest.format !== INTEGRITY_MANIFEST_FORMAT || manifest.version !== 1 || !Array.isArray(manifest.files)) {
    throw new Error(
      `${where} is not a Coffer integrity manifest (format ${String(manifest.format)}, version ${String(manifest.version)}).`,
    );
  }
  for (const file of manifest.files) {
    if (typeof file?.path !== 'string' || typeof file.size !== 'number' || typeof file.sha256 !== 'string') {
      throw new Error(`${where} has a malformed file entry: ${JSON.stringify(file)}`);
    }
  }
  return {
    ...manifest,
    directories: Array.isArray(manifest.directories) ? manifest.directories : [],
  } as IntegrityManifest;
}
