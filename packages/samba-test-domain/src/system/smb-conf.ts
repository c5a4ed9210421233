import { join } from 'node:path';

export interface DcLayout {
  workDir: string;
  etcDir: string;
  smbConfPath: string;
  privateDir: string;
  stateDir: string;
  sysvolPath: string;
  cacheDir: string;
  runDir: string;
  /** Bind-mounted over /run/samba inside samba's mount namespace (see samba-process.ts). */
  runSambaDir: string;
  logDir: string;
  bindDnsDir: string;
  samLdbPath: string;
  tlsDir: string;
  sambaLogFile: string;
}

export function dcLayout(workDir: string): DcLayout {
  const privateDir = join(workDir, 'private');
  const stateDir = join(workDir, 'state');
  const runDir = join(workDir, 'run');
  return {
    workDir,
    etcDir: join(workDir, 'etc'),
    smbConfPath: join(workDir, 'etc', 'smb.conf'),
    privateDir,
    stateDir,
    sysvolPath: join(stateDir, 'sysvol'),
    cacheDir: join(workDir, 'cache'),
    runDir,
    runSambaDir: join(runDir, 'samba'),
    logDir: join(workDir, 'log'),
    bindDnsDir: join(workDir, 'bind-dns'),
    samLdbPath: join(privateDir, 'sam.ldb'),
    tlsDir: join(privateDir, 'tls'),
    sambaLogFile: join(workDir, 'samba.log'),
  };
}

export interface SmbConfInput {
  layout: DcLayout;
  realm: string;
  netbiosDomain: string;
  dnsDomain: string;
  address: string;
}

/**
 * A DC configuration that touches nothing outside its folder, so several DCs run side by side.
 * `interfaces` takes address/8: a bare 127.0.0.x that no interface carries is ignored by Samba,
 * while the address/mask form is taken as given. Only the services the tests use are started.
 */
export function renderSmbConf({ layout, realm, netbiosDomain, dnsDomain, address }: SmbConfInput): string {
  const l = layout;
  return `# Written by @coffer/samba-test-domain: a throwaway test DC bound to ${address} only.
[global]
	netbios name = DC1
	realm = ${realm}
	workgroup = ${netbiosDomain}
	server role = active directory domain controller
	server services = s3fs, rpc, ldap, kdc, winbindd
	interfaces = ${address}/8
	bind interfaces only = yes
	private dir = ${l.privateDir}
	lock directory = ${l.workDir}
	state directory = ${l.stateDir}
	cache directory = ${l.cacheDir}
	pid directory = ${l.runDir}
	ncalrpc dir = ${l.runDir}/ncalrpc
	binddns dir = ${l.bindDnsDir}
	log file = ${l.logDir}/log.%m
	logging = file
	log level = 1
	max log size = 10000
	idmap_ldb:use rfc2307 = yes
	tls enabled = yes
	tls keyfile = tls/key.pem
	tls certfile = tls/cert.pem
	tls cafile = tls/ca.pem
	disable netbios = yes
	smb ports = 445
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes

[sysvol]
	path = ${l.sysvolPath}
	read only = No

[netlogon]
	path = ${l.sysvolPath}/${dnsDomain}/scripts
	read only = No

# Where tests write backups over SMB (coffer backup --out //dc1/backups/…). Samba runs root preexec before it
# enters the share's path, so the folder is made on first use (0700: only root, i.e. Administrator, sees it).
[backups]
	path = ${l.workDir}/backups
	read only = No
	root preexec = /bin/mkdir -p -m 0700 ${l.workDir}/backups
`;
}
