/**
 * The settings model flattened into one row per setting, each under a stable key: what `coffer diff` compares
 * (added = key only in B, removed = only in A, changed = same key, other value) and the order it prints them in.
 * A key names the setting as an admin would find it (side, extension, then the setting's own identity: a policy's
 * registry key and value name, a user right, a preference item's uid); the value is its whole content as text, so
 * any change inside it (a member, an item-level target, a REG_DWORD) is a change of that setting.
 */
import type { ExtensionSettings, GpoSettingsReport, PreferenceItem, SettingsSideName } from '../settings/model.js';

export interface SettingItem {
  side: SettingsSideName;
  /** The extension's name (GPMC's `<Name>`). */
  extension: string;
  /** What the setting is within its extension: `User Rights/SeBackupPrivilege`, `HKLM\Software\…\Enabled`. */
  setting: string;
  /** The setting's value, as text (JSON for structured values). */
  value: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function preferenceRows(items: readonly PreferenceItem[], prefix: string, out: Array<[string, string]>): void {
  for (const item of items) {
    // The uid identifies an item across edits; a rename is then a change, not a removal and an addition.
    const key = `${prefix}${item.tag} ${item.name} ${item.uid || `#${item.order}`}`;
    const { changed: _changed, ...attributes } = item.attributes; // `changed` is the editor's timestamp, not a setting
    out.push([
      key,
      text({
        action: item.action,
        order: item.order,
        attributes,
        properties: item.properties,
        children: item.propertiesChildren,
        filters: item.filters,
      }),
    ]);
    if (item.items) preferenceRows(item.items, `${key}/`, out);
  }
}

function rowsOf(extension: ExtensionSettings): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  switch (extension.kind) {
    case 'security':
      for (const s of extension.account) out.push([`${s.type}/${s.name}`, text(s.value)]);
      for (const s of extension.audit)
        out.push([
          `Audit Policy/${s.name}`,
          `${s.success ? 'Success' : ''}${s.success && s.failure ? ', ' : ''}${s.failure ? 'Failure' : ''}` ||
            'No auditing',
        ]);
      for (const s of extension.userRights)
        out.push([`User Rights Assignment/${s.name}`, s.members.map((m) => m.name ?? m.sid).join(', ')]);
      for (const s of extension.securityOptions)
        out.push([`Security Options/${s.keyName ?? s.systemAccessPolicyName}`, text(s.value)]);
      for (const s of extension.eventLog) out.push([`Event Log/${s.log}/${s.name}`, text(s.value)]);
      for (const s of extension.restrictedGroups)
        out.push([
          `Restricted Groups/${s.group.name ?? s.group.sid}`,
          text({
            members: s.members?.map((m) => m.name ?? m.sid) ?? null,
            memberOf: s.memberOf?.map((m) => m.name ?? m.sid) ?? null,
          }),
        ]);
      for (const s of extension.systemServices)
        out.push([`System Services/${s.name}`, `${s.startupMode}${s.sddl ? ` ${s.sddl}` : ''}`]);
      for (const s of extension.fileAcls) out.push([`File System/${s.path}`, `mode ${s.mode} ${s.sddl}`]);
      for (const s of extension.registryAcls) out.push([`Registry/${s.path}`, `mode ${s.mode} ${s.sddl}`]);
      for (const s of extension.otherSections) out.push([`[${s.section}]`, s.lines.join('\n')]);
      break;
    case 'registry':
      // Every record, whether an ADMX names it or not: the raw facts are what a client applies.
      for (const entry of extension.entries)
        out.push([`${entry.key}\\${entry.valueName}`, `${entry.typeName} ${text(entry.data)}`]);
      break;
    case 'audit':
      for (const s of extension.settings)
        out.push([
          `${s.policyTarget}/${s.subcategoryName || s.subcategoryGuid}`,
          `${s.inclusionSetting || s.settingValue}${s.exclusionSetting ? ` (exclude ${s.exclusionSetting})` : ''}`,
        ]);
      break;
    case 'scripts':
      for (const s of extension.scripts)
        out.push([
          `${s.type}${s.powerShell ? ' (PowerShell)' : ''}/${s.order}`,
          `${s.command}${s.parameters ? ` ${s.parameters}` : ''}`,
        ]);
      if (extension.powerShellOrder) out.push(['PowerShell order', text(extension.powerShellOrder)]);
      break;
    case 'folderRedirection':
      for (const f of extension.folders) out.push([f.folder, text({ status: f.status, targets: f.targets })]);
      break;
    case 'preferences':
      preferenceRows(extension.items, '', out);
      break;
    case 'other':
      out.push([`${extension.guid ?? 'unclaimed files'}`, extension.files.join(', ')]);
      break;
  }
  return out;
}

/** Every setting of a report, in report order (side, extension, then the extension's own order). */
export function settingItems(report: GpoSettingsReport): SettingItem[] {
  const items: SettingItem[] = [];
  for (const side of ['computer', 'user'] as const) {
    for (const extension of report[side].extensions) {
      for (const [setting, value] of rowsOf(extension)) items.push({ side, extension: extension.name, setting, value });
    }
  }
  return items;
}

/** The key under which a setting is compared. */
export function settingKey(item: SettingItem): string {
  return `${item.side}\u0000${item.extension}\u0000${item.setting}`;
}
