/** `gPCWQLFilter` on a GPO: `[<dns domain>;{filter GUID};0]`. */
export interface WqlFilterReference {
  domain: string;
  id: string;
  flags: number;
}

export function parseGpcWqlFilter(value: string | undefined | null): WqlFilterReference | null {
  if (!value) return null;
  const match = /^\[([^;]+);(\{[0-9a-fA-F-]{36}\});(\d+)\]$/.exec(value.trim());
  if (!match) return null;
  return { domain: match[1]!, id: match[2]!, flags: Number(match[3]) };
}

export interface WmiQuery {
  language: string;
  namespace: string;
  query: string;
}

/**
 * `msWMI-Parm2`: `<count>;` then per query `<len lang>;<len ns>;<len query>;<lang>;<ns>;<query>;`.
 * Lengths, not separators, delimit the strings, since a WQL query may contain ';'.
 */
export function parseWmiQueries(parm2: string | undefined | null): WmiQuery[] {
  if (!parm2) return [];
  let position = 0;
  const readNumber = (): number => {
    const end = parm2.indexOf(';', position);
    if (end < 0) throw new Error(`msWMI-Parm2 is malformed at ${position}: ${JSON.stringify(parm2)}`);
    const n = Number(parm2.slice(position, end));
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`msWMI-Parm2 has a bad number at ${position}: ${JSON.stringify(parm2)}`);
    position = end + 1;
    return n;
  };
  const readString = (length: number): string => {
    const text = parm2.slice(position, position + length);
    if (text.length !== length || parm2[position + length] !== ';')
      throw new Error(`msWMI-Parm2 string length mismatch at ${position}: ${JSON.stringify(parm2)}`);
    position += length + 1;
    return text;
  };
  const count = readNumber();
  const queries: WmiQuery[] = [];
  for (let i = 0; i < count; i++) {
    const lengths = [readNumber(), readNumber(), readNumber()] as const;
    queries.push({
      language: readString(lengths[0]),
      namespace: readString(lengths[1]),
      query: readString(lengths[2]),
    });
  }
  return queries;
}

export function formatWmiQueries(queries: readonly WmiQuery[]): string {
  return `${queries.length};${queries
    .map((q) => `${q.language.length};${q.namespace.length};${q.query.length};${q.language};${q.namespace};${q.query};`)
    .join('')}`;
}
