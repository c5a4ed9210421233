/** ANSI styling, or none: off when NO_COLOR is set, with --no-color, off a terminal, and in JSON mode. */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

export function createStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}

export function colorWanted(options: {
  flag: boolean | undefined;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  json: boolean;
}): boolean {
  if (options.json) return false;
  if (options.flag === false) return false;
  // no-color.org: any non-empty NO_COLOR turns colour off, whatever else says.
  if (options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '') return false;
  if (options.flag === true) return true;
  if (options.env.FORCE_COLOR !== undefined && options.env.FORCE_COLOR !== '0') return true;
  return options.isTTY && options.env.TERM !== 'dumb';
}
