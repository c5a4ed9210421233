/** Compares backup ids the way Windows compares GUIDs (a GPMC backup's folder is its id): braces optional, any case. */
export function sameId(a: string, b: string): boolean {
  const norm = (value: string): string =>
    value
      .trim()
      .replace(/^\{|\}$/g, '')
      .toUpperCase();
  return norm(a) === norm(b);
}
