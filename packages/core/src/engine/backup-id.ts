/** Compares backup ids the way Windows compares GUIDs (a GPMC backup's folder is its id): braces optional, any case. */
export function sameId(a: string, b: string): boolean {
  return idKey(a) === idKey(b);
}

/** A backup id as {@link sameId} compares it (braces and surrounding space dropped, upper case): a map key. */
export function idKey(value: string): string {
  return value
    .trim()
    .replace(/^\{|\}$/g, '')
    .toUpperCase();
}
