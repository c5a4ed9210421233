/** Options of {@link startTestDomain}. */
export interface StartTestDomainOptions {
  /** Kerberos realm, upper-case by convention. Default `COFFER.TEST`. */
  realm?: string;
  /** NetBIOS domain name. Default: the realm's first label, upper-case (`COFFER`). */
  netbiosDomain?: string;
  /** Loopback address the DC binds to (127.0.0.2 to 127.0.0.254). Default: the first free one from 127.0.0.20 on. */
  address?: string;
  /**
   * Folder that holds the DC (provision, SYSVOL, sockets, logs). Must not exist or be empty; removed by `stop()`.
   * Default: a fresh folder under `<tmpdir>/coffer-dc/`.
   */
  workDir?: string;
  /** Fill the domain with OUs, GPOs, links, a WMI filter and starter GPOs. `extraGpos` adds that many small GPOs. */
  seed?: boolean | { extraGpos?: number };
  /** Milliseconds to wait for LDAPS and SMB to answer. Default 90 000. */
  startTimeoutMs?: number;
  /**
   * Keep samba running after this process exits (used by `coffer-test-domain up --detach`).
   * The caller must then run `stopDetachedTestDomain(workDir)`.
   */
  detached?: boolean;
  /** Receives progress lines (`provisioned in 3.2 s`). */
  log?: (line: string) => void;
}

/** Seconds spent in each phase of {@link startTestDomain}. */
export interface StartTimings {
  installCheckSeconds: number;
  provisionSeconds: number;
  seedSeconds: number;
  startSeconds: number;
  totalSeconds: number;
}

/** Everything a test needs to reach the DC; JSON-serialisable (see {@link TestDomain} for the live handle). */
export interface TestDomainInfo {
  realm: string;
  /** Lower-case DNS domain, e.g. `coffer.test`. */
  dnsDomain: string;
  netbiosDomain: string;
  /** e.g. `DC=coffer,DC=test`. */
  baseDn: string;
  /** `dc1.<dnsDomain>`, resolvable through the `/etc/hosts` line the harness added. */
  dcHostname: string;
  address: string;
  /** `Administrator`; bind as `Administrator@<dnsDomain>`. */
  adminUser: string;
  adminPassword: string;
  /** PEM of the CA that signed the DC's LDAPS certificate. */
  caFile: string;
  /** Local SYSVOL root (`.../state/sysvol`); the domain's folder is `<sysvolPath>/<dnsDomain>`. */
  sysvolPath: string;
  samLdbPath: string;
  smbConfPath: string;
  workDir: string;
  /** PID of the samba master process (its process group id too). */
  sambaPid: number;
  timings: StartTimings;
  seed?: SeedSummary;
}

/** A running test domain controller. */
export interface TestDomain extends TestDomainInfo {
  /** Stops samba and its children, removes the hosts line and the work folder. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops samba only (the files stay): for tests of "the DC went away". `stop()` still cleans up afterwards. */
  kill(): Promise<void>;
  /** The serialisable part, for `project.provide` or a state file. */
  info(): TestDomainInfo;
}

/** GPO link options as stored in gPLink: bit 1 disabled, bit 2 enforced. */
export interface SeededLink {
  /** DN of the container carrying the gPLink (domain head, OU or site). */
  containerDn: string;
  containerKind: 'domain' | 'ou' | 'site';
  enabled: boolean;
  enforced: boolean;
  /** The raw options number in gPLink. */
  options: number;
  /** 1-based position of this link in the container's gPLink string, left to right. */
  positionInGpLink: number;
}

export interface SeededPermissionsIntent {
  /** Authenticated Users keep Read but lose Apply Group Policy. */
  authenticatedUsersApplyRemoved: boolean;
  /** Groups granted Read + Apply Group Policy. */
  applyGrantedTo: Array<{ name: string; sid: string }>;
  /** Groups denied Apply Group Policy. */
  applyDeniedTo: Array<{ name: string; sid: string }>;
  /** The security descriptor written to the GPO, as SDDL. */
  sddl: string;
}

export interface SeededGpo {
  /** `{GUID}`, upper-case, braced: the GPO's `cn`/`name`. */
  guid: string;
  dn: string;
  displayName: string;
  /** 0 enabled, 1 user side disabled, 2 computer side disabled, 3 all disabled. */
  flags: number;
  /** AD `versionNumber` (user << 16 | machine). */
  versionNumber: number;
  userVersion: number;
  machineVersion: number;
  /** GPT.INI `Version`. */
  gptIniVersion: number;
  machineExtensionNames: string | null;
  userExtensionNames: string | null;
  /** Local folder of the GPT, `<sysvol>/<dns>/Policies/{GUID}`. */
  sysvolFolder: string;
  /** Path relative to the SYSVOL share root, `/`-separated: `<dns>/Policies/{GUID}`. */
  sysvolSharePath: string;
  /** Files of the GPT relative to its folder, `/`-separated, with sizes. */
  files: Array<{ path: string; size: number }>;
  /** What its GPT holds, `<side>:<kind>` (`machine:registry-pol`, `machine:security-template`, `user:gpp-drives`, ...), sorted. */
  contentKinds: string[];
  links: SeededLink[];
  wmiFilter: { guid: string; name: string; gPCWQLFilter: string } | null;
  permissions: SeededPermissionsIntent | null;
  /**
   * Why it is there: `workstation-baseline`, `user-lockdown`, `legacy-user`, `drive-mappings`, `server-hardening`
   * (generated real-world content), `unicode-name`, `cdata-terminator`, `all-disabled`, `security-filtering`,
   * `wmi-filter`, `unicode-file`, `bench`.
   */
  purpose: string;
}

export interface SeededOu {
  dn: string;
  name: string;
  blockInheritance: boolean;
  /** The gPLink string written, or null. */
  gPLink: string | null;
}

export interface SeededWmiFilter {
  guid: string;
  dn: string;
  name: string;
  description: string;
  /** msWMI-Parm2 as written. */
  parm2: string;
  queries: Array<{ namespace: string; query: string }>;
}

export interface SeededStarterGpo {
  /** `{GUID}`, upper-case, braced. */
  guid: string;
  displayName: string;
  description: string;
  /** 0 System, 1 Custom. */
  type: 0 | 1;
  typeName: 'System' | 'Custom';
  author: string;
  product: string;
  computerVersion: number;
  userVersion: number;
  starterGpoVersion: string;
  sysvolFolder: string;
  sysvolSharePath: string;
  files: Array<{ path: string; size: number }>;
  /** Languages with a `<lang>/StarterGPO.tmpll`. */
  localizedLanguages: string[];
}

export interface SeededGroup {
  name: string;
  dn: string;
  sid: string;
}

/** What `seed` put into the domain, so tests can assert against it. */
export interface SeedSummary {
  gpos: SeededGpo[];
  ous: SeededOu[];
  groups: SeededGroup[];
  wmiFilters: SeededWmiFilter[];
  starterGpos: SeededStarterGpo[];
  /** Containers whose gPLink was written (domain head and site included), with the final string. */
  gpLinks: Array<{ containerDn: string; gPLink: string }>;
  /** Number of extra benchmark GPOs (`extraGpos`). */
  extraGpoCount: number;
  /** A file with a Unicode name inside a seeded GPO, for transport tests: path relative to the SYSVOL share. */
  unicodeFileSharePath: string;
  /** The domain's central store (`Policies/PolicyDefinitions`) with the seed's `coffer.admx` and `en-US/coffer.adml`. */
  policyDefinitions: { sysvolFolder: string; sysvolSharePath: string; files: Array<{ path: string; size: number }> };
}
