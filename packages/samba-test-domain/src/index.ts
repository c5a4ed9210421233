export { startTestDomain, stopDetachedTestDomain, readTestDomainInfo, STATE_FILE_NAME } from './test-domain.js';
export { ensureSambaInstalled, missingPrograms } from './system/samba-install.js';
export { sweepStaleDomains } from './system/dc-registry.js';
export {
  decodeRegistryPol,
  encodeRegistryPol,
  REG_BINARY,
  REG_DWORD,
  REG_EXPAND_SZ,
  REG_MULTI_SZ,
  REG_QWORD,
  REG_SZ,
  type RegistryPolEntry,
} from './seed/content/registry-pol.js';
export type {
  StartTestDomainOptions,
  StartTimings,
  TestDomain,
  TestDomainInfo,
  SeedSummary,
  SeededGpo,
  SeededLink,
  SeededOu,
  SeededGroup,
  SeededWmiFilter,
  SeededStarterGpo,
  SeededPermissionsIntent,
} from './types.js';
