/**
 * GPT.INI, the SYSVOL half's version file: `[General]` `Version=<packed>` (user version in
 * the high 16 bits, computer in the low 16), sometimes `displayName=`. Windows writes it in
 * the ANSI code page; only ASCII keys and numbers matter here.
 */
export interface GptIni {
  version: number;
  displayName?: string;
}

export function parseGptIni(bytes: Uint8Array | string): GptIni {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1');
  let version = 0;
  let displayName: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^=]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    if (key === 'version') version = Number.parseInt(match[2]!, 10) >>> 0 || 0;
    else if (key === 'displayname') displayName = match[2]!;
  }
  return displayName === undefined ? { version } : { version, displayName };
}

export function formatGptIni(ini: GptIni): string {
  return `[General]\r\nVersion=${ini.version >>> 0}\r\n${ini.displayName === undefined ? '' : `displayName=${ini.displayName}\r\n`}`;
}
