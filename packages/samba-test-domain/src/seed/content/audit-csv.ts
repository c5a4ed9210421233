import { crlf } from './text.js';

/** Advanced Audit Policy subcategories (GUIDs from `auditpol /list /subcategory:* /v`, as MS-GPAC lists them). */
export const AUDIT_SUBCATEGORIES = {
  'Audit Security State Change': '{0cce9210-69ae-11d9-bed3-505054503030}',
  'Audit Security System Extension': '{0cce9211-69ae-11d9-bed3-505054503030}',
  'Audit System Integrity': '{0cce9212-69ae-11d9-bed3-505054503030}',
  'Audit Other System Events': '{0cce9214-69ae-11d9-bed3-505054503030}',
  'Audit Logon': '{0cce9215-69ae-11d9-bed3-505054503030}',
  'Audit Logoff': '{0cce9216-69ae-11d9-bed3-505054503030}',
  'Audit Account Lockout': '{0cce9217-69ae-11d9-bed3-505054503030}',
  'Audit Special Logon': '{0cce921b-69ae-11d9-bed3-505054503030}',
  'Audit User Account Management': '{0cce9235-69ae-11d9-bed3-505054503030}',
  'Audit Security Group Management': '{0cce9237-69ae-11d9-bed3-505054503030}',
  'Audit Credential Validation': '{0cce923f-69ae-11d9-bed3-505054503030}',
} as const;

export type AuditSubcategory = keyof typeof AUDIT_SUBCATEGORIES;

/** MS-GPAC SettingValue: 1 success, 2 failure, 3 both, 4 none. */
const INCLUSION = { 1: 'Success', 2: 'Failure', 3: 'Success and Failure', 4: 'No Auditing' } as const;

export const AUDIT_CSV_HEADER =
  'Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value';

/** audit.csv as the Advanced Audit Policy editor writes it: plain text, CRLF, a header, one System row per setting. */
export function renderAuditCsv(settings: ReadonlyArray<[AuditSubcategory, 1 | 2 | 3 | 4]>): Buffer {
  const rows = settings.map(
    ([name, value]) => `,System,${name},${AUDIT_SUBCATEGORIES[name]},${INCLUSION[value]},,${value}`,
  );
  return Buffer.from(crlf([AUDIT_CSV_HEADER, ...rows]), 'utf8');
}
