/**
 * Administrative Templates: Registry.pol records matched against ADMX definitions, as GPMC's report shows them.
 * A record a policy of the side's class describes (its own value, an element's value, a list element's key, or
 * the `**del.`/`**delvals.` the editor writes for a disabled policy) belongs to that policy; every other record
 * is an "Extra Registry Setting". The raw records stay in `entries` whatever the ADMX says.
 */
import type { AdmxCatalog, AdmxPolicy, AdmxValue } from './admx.js';
import type {
  AdmxPolicySetting,
  PolicyElementSetting,
  RegistryPolEntry,
  RegistrySettings,
  SettingsSideName,
} from './model.js';

const keyOf = (key: string, valueName: string): string => `${key.toLowerCase()}\0${valueName.toLowerCase()}`;

function equals(value: AdmxValue | undefined, entry: RegistryPolEntry): boolean {
  if (value === undefined) return false;
  if (value.kind === 'decimal')
    return typeof entry.data === 'number' ? entry.data === value.value : String(entry.data) === String(value.value);
  if (value.kind === 'string') return entry.data === value.value;
  return entry.valueName.toLowerCase().startsWith('**del.');
}

interface Match {
  policy: AdmxPolicySetting;
  consumed: RegistryPolEntry[];
}

function matchPolicy(
  policy: AdmxPolicy,
  byValue: Map<string, RegistryPolEntry[]>,
  byKey: Map<string, RegistryPolEntry[]>,
): Match | null {
  const consumed: RegistryPolEntry[] = [];
  const take = (key: string, valueName: string): { set?: RegistryPolEntry; deleted?: RegistryPolEntry } => {
    const set = byValue.get(keyOf(key, valueName))?.at(-1);
    const deleted = byValue.get(keyOf(key, `**del.${valueName}`))?.at(-1);
    if (set) consumed.push(set);
    if (deleted) consumed.push(deleted);
    return { ...(set ? { set } : {}), ...(deleted ? { deleted } : {}) };
  };
  let disabled = false;
  let enabled = false;
  if (policy.valueName !== undefined) {
    const own = take(policy.key, policy.valueName);
    if (own.set) {
      if (equals(policy.disabledValue ?? { kind: 'decimal', value: 0 }, own.set)) disabled = true;
      else enabled = true;
    } else if (own.deleted) disabled = true;
  }
  const elements: PolicyElementSetting[] = [];
  let elementSet = false;
  let elementDeleted = false;
  for (const element of policy.elements) {
    const label = policy.labels[element.id] ?? element.id;
    if (element.kind === 'list') {
      const records = byKey.get(element.key.toLowerCase()) ?? [];
      const values = records.filter((record) => !record.valueName.startsWith('**'));
      consumed.push(...records);
      if (records.some((record) => record.valueName.toLowerCase() === '**delvals.') && values.length === 0)
        elementDeleted = true;
      if (values.length > 0) {
        elementSet = true;
        elements.push({
          kind: 'list',
          id: element.id,
          label,
          value: element.explicitValue
            ? values.map((record) => ({ name: record.valueName, data: String(record.data) }))
            : values.map((record) => String(record.data)),
        });
      }
      continue;
    }
    const found = take(element.key, element.valueName);
    if (found.deleted && !found.set) elementDeleted = true;
    if (!found.set) continue;
    elementSet = true;
    const data = found.set.data;
    let value: PolicyElementSetting['value'];
    if (element.kind === 'enum')
      value = element.items?.find((item) => equals(item.value, found.set!))?.displayName ?? String(data);
    else if (element.kind === 'boolean') value = element.trueValue ? equals(element.trueValue, found.set) : data === 1;
    else if (element.kind === 'decimal' || element.kind === 'longDecimal')
      value = typeof data === 'number' ? data : Number(data);
    else value = Array.isArray(data) ? data : String(data);
    elements.push({ kind: element.kind, id: element.id, label, value });
  }
  if (consumed.length === 0) return null;
  const state = disabled || (!enabled && !elementSet && elementDeleted) ? 'Disabled' : 'Enabled';
  return {
    policy: {
      name: policy.displayName,
      id: policy.id,
      state,
      category: policy.category,
      explain: policy.explain,
      supported: policy.supported,
      elements,
      entries: [...new Set(consumed)],
    },
    consumed,
  };
}

/** The Registry extension of one side: policies from the catalog (when given), the rest as extra settings. */
export function buildRegistrySettings(
  entries: RegistryPolEntry[],
  files: string[],
  side: SettingsSideName,
  catalog?: AdmxCatalog,
): RegistrySettings {
  const byValue = new Map<string, RegistryPolEntry[]>();
  const byKey = new Map<string, RegistryPolEntry[]>();
  const add = (map: Map<string, RegistryPolEntry[]>, key: string, entry: RegistryPolEntry): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [entry]);
    else list.push(entry);
  };
  for (const entry of entries) {
    add(byValue, keyOf(entry.key, entry.valueName), entry);
    add(byKey, entry.key.toLowerCase(), entry);
  }
  const policies: AdmxPolicySetting[] = [];
  const claimed = new Set<RegistryPolEntry>();
  const wanted = side === 'computer' ? 'Machine' : 'User';
  for (const policy of catalog?.policies ?? []) {
    if (policy.class !== wanted && policy.class !== 'Both') continue;
    const match = matchPolicy(policy, byValue, byKey);
    if (match === null) continue;
    policies.push(match.policy);
    for (const entry of match.consumed) claimed.add(entry);
  }
  policies.sort((a, b) => `${a.category}\0${a.name}`.localeCompare(`${b.category}\0${b.name}`));
  return {
    kind: 'registry',
    name: 'Registry',
    files,
    entries,
    policies,
    extra: entries.filter((entry) => !claimed.has(entry)),
  };
}
