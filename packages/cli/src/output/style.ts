import picocolors from 'picocolors';

/** ANSI styling (picocolors), or none: off when NO_COLOR is set, with --no-color, off a terminal, and in JSON mode. */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

/**
 * picocolors decides from the process's own env and stdout when imported; the CLI decides per run from its io
 * (main() can run in-process with another env and streams), so it asks picocolors for colours on or off explicitly.
 */
export function createStyle(enabled: boolean): Style {
  const colors = picocolors.createColors(enabled);
  return {
    enabled,
    bold: colors.bold,
    dim: colors.dim,
    red: colors.red,
    yellow: colors.yellow,
    green: colors.green,
    cyan: colors.cyan,
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
