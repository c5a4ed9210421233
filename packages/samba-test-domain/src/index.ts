export { startTestDomain, stopDetachedTestDomain, readTestDomainInfo, STATE_FILE_NAME } from './test-domain.js';
export { ensureSambaInstalled, missingPrograms } from './system/samba-install.js';
export { sweepStaleDomains } from './system/dc-registry.js';
export { encodeRegistryPol, REG_DWORD, REG_SZ, type RegistryPolEntry } from './seed/registry-pol.js';
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
