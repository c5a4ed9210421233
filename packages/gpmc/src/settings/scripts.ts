/**
 * Scripts (scripts.ini, psscripts.ini): sections `[Startup]`/`[Shutdown]` (Machine) or `[Logon]`/`[Logoff]`
 * (User), numbered pairs `0CmdLine=`/`0Parameters=`; psscripts.ini adds `[ScriptsConfig]` with
 * `StartExecutePSFirst`/`EndExecutePSFirst`.
 */
import { settingsMalformed } from './errors.js';
import { parseIniSections } from './ini.js';
import type { ScriptSetting } from './model.js';

const TYPES: Record<string, ScriptSetting['type']> = {
  startup: 'Startup',
  shutdown: 'Shutdown',
  logon: 'Logon',
  logoff: 'Logoff',
};

export interface DecodedScripts {
  scripts: ScriptSetting[];
  powerShellOrder?: { start?: boolean; end?: boolean };
}

export function decodeScriptsIni(text: string, file: string, powerShell: boolean): DecodedScripts {
  const scripts: ScriptSetting[] = [];
  let powerShellOrder: DecodedScripts['powerShellOrder'];
  for (const section of parseIniSections(text)) {
    const lower = section.name.toLowerCase();
    if (lower === 'scriptsconfig') {
      for (const entry of section.entries) {
        const key = entry.key?.toLowerCase();
        if (key === 'startexecutepsfirst') (powerShellOrder ??= {}).start = entry.value.toLowerCase() === 'true';
        if (key === 'endexecutepsfirst') (powerShellOrder ??= {}).end = entry.value.toLowerCase() === 'true';
      }
      continue;
    }
    const type = TYPES[lower];
    if (type === undefined) continue;
    const byOrder = new Map<number, ScriptSetting>();
    for (const entry of section.entries) {
      const match = entry.key === null ? null : /^(\d+)(cmdline|parameters)$/i.exec(entry.key);
      if (match === null)
        throw settingsMalformed(
          file,
          `line ${entry.line}: "${entry.key ?? entry.value}" is not <n>CmdLine or <n>Parameters`,
        );
      const order = Number(match[1]);
      let script = byOrder.get(order);
      if (script === undefined) {
        script = { type, command: '', parameters: '', order, powerShell };
        byOrder.set(order, script);
      }
      if (match[2]!.toLowerCase() === 'cmdline') script.command = entry.value;
      else script.parameters = entry.value;
    }
    scripts.push(...[...byOrder.values()].sort((a, b) => a.order - b.order));
  }
  return powerShellOrder === undefined ? { scripts } : { scripts, powerShellOrder };
}
