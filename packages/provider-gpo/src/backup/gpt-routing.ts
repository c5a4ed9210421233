/**
 * Which part of a GPO's SYSVOL folder goes into a GPMC backup: everything under
 * `DomainSysvol/GPO/` except GPT.INI (its version goes into Backup.xml instead) and the Adm
 * folder (GPMC lists `%GPO_FSPATH%\Adm\*.*` without copying it).
 */
export type GptRoute = 'gpt-ini' | 'skip' | 'copy';

export function routeGptPath(relativePath: string): GptRoute {
  const lower = relativePath.toLowerCase();
  if (lower === 'gpt.ini') return 'gpt-ini';
  if (lower === 'adm' || lower.startsWith('adm/')) return 'skip';
  return 'copy';
}

/** GptTmpl.inf names security principals that GPMC lists in `<SecurityGroups>`. */
export function isSecurityTemplate(relativePath: string): boolean {
  return /^machine\/microsoft\/windows nt\/secedit\/gpttmpl\.inf$/i.test(relativePath);
}

export const BACKUP_GPT_ROOT = 'DomainSysvol/GPO';

/**
 * Splits a path read from a SYSVOL pass into the GPO folder it belongs to and the path inside it.
 * A pass over one GPO folder has no GPO component; a pass over `Policies` starts with `{GUID}`.
 */
export function splitPassPath(path: string, passCoversOneGpo: boolean): { gpoKey: string | null; inner: string } {
  if (passCoversOneGpo) return { gpoKey: null, inner: path };
  const slash = path.indexOf('/');
  return slash < 0
    ? { gpoKey: path.toUpperCase(), inner: '' }
    : { gpoKey: path.slice(0, slash).toUpperCase(), inner: path.slice(slash + 1) };
}
