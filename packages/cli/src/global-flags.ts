/**
 * The flags that decide which providers exist (`--cwd`, `--provider`) and how output
 * looks (`--json`, `--no-color`) are needed before the command tree can be built, so
 * they are read from argv first; commander parses them again, to accept and document them.
 */
export interface GlobalFlags {
  cwd: string | undefined;
  providers: string[];
  json: boolean;
  color: boolean | undefined;
}

export function scanGlobalFlags(argv: readonly string[]): GlobalFlags {
  const flags: GlobalFlags = { cwd: undefined, providers: [], json: false, color: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    const [name, inline] = splitInline(arg);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (name) {
      case '--cwd':
        flags.cwd = value();
        break;
      case '--provider': {
        const provider = value();
        if (provider !== undefined) flags.providers.push(provider);
        break;
      }
      case '--json':
        flags.json = true;
        break;
      case '--no-color':
        flags.color = false;
        break;
      case '--color':
        flags.color = true;
        break;
    }
  }
  return flags;
}

function splitInline(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined];
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
