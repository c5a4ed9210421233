import { crlf, groupSid, utf16WithBom, type SeedContext } from './text.js';

/** Sections in the order SecEdit writes them; `[Unicode]` first and `[Version]` last. */
export type InfSections = Array<[section: string, lines: string[]]>;

export function renderInf(sections: InfSections): Buffer {
  const lines: string[] = [];
  for (const [name, body] of sections) lines.push(`[${name}]`, ...body);
  return utf16WithBom(crlf(lines));
}

/** Parses INF text (for tests and checks): section name → `key = value` lines in order; `;` comments skipped. */
export function parseInf(text: string): Map<string, Array<{ key: string; value: string }>> {
  const sections = new Map<string, Array<{ key: string; value: string }>>();
  let current: Array<{ key: string; value: string }> | null = null;
  for (const raw of text.replace(/^\ufeff/, '').split(/\r\n|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1] ?? '', current);
      continue;
    }
    const equals = line.indexOf('=');
    current?.push(
      equals < 0
        ? { key: line, value: '' }
        : { key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim() },
    );
  }
  return sections;
}

export interface SecurityTemplateOptions {
  /** Workstations get a stricter lockout and an interactive logon banner; servers restrict services more. */
  profile: 'workstation' | 'server';
  /** sAMAccountName of the seed group granted remote logon and put into the local Administrators group. */
  operatorsGroup: string;
}

/**
 * GptTmpl.inf of a security baseline: account policy, Kerberos, legacy audit, security options as registry values,
 * user rights (built-in SIDs and a seeded domain group), restricted groups, service startup with an SDDL, file
 * and registry ACLs. Depends on the domain's SIDs, so it is rendered once the groups exist.
 */
export function securityTemplate(options: SecurityTemplateOptions): (context: SeedContext) => Buffer {
  return (context) => {
    const operators = `*${groupSid(context, options.operatorsGroup)}`;
    const domainAdmins = `*${context.domainSid}-512`;
    const workstation = options.profile === 'workstation';
    const sections: InfSections = [
      ['Unicode', ['Unicode=yes']],
      [
        'System Access',
        [
          'MinimumPasswordAge = 1',
          'MaximumPasswordAge = 60',
          `MinimumPasswordLength = ${workstation ? 14 : 16}`,
          'PasswordComplexity = 1',
          'PasswordHistorySize = 24',
          `LockoutBadCount = ${workstation ? 5 : 3}`,
          'ResetLockoutCount = 15',
          'LockoutDuration = 15',
          'RequireLogonToChangePassword = 0',
          'ForceLogoffWhenHourExpire = 1',
          'NewAdministratorName = "CofferAdmin"',
          'NewGuestName = "Visitor"',
          'ClearTextPassword = 0',
          'LSAAnonymousNameLookup = 0',
          'EnableAdminAccount = 0',
          'EnableGuestAccount = 0',
        ],
      ],
      [
        'Kerberos Policy',
        ['MaxTicketAge = 10', 'MaxRenewAge = 7', 'MaxServiceAge = 600', 'MaxClockSkew = 5', 'TicketValidateClient = 1'],
      ],
      [
        'Event Audit',
        [
          'AuditSystemEvents = 3',
          'AuditLogonEvents = 3',
          'AuditObjectAccess = 2',
          'AuditPrivilegeUse = 2',
          'AuditPolicyChange = 1',
          'AuditAccountManage = 3',
          'AuditProcessTracking = 0',
          'AuditDSAccess = 0',
          'AuditAccountLogon = 3',
        ],
      ],
      [
        'Registry Values',
        [
          'MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\EnableLUA=4,1',
          'MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\ConsentPromptBehaviorAdmin=4,2',
          'MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\ConsentPromptBehaviorUser=4,0',
          `MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\InactivityTimeoutSecs=4,${workstation ? 900 : 600}`,
          'MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\LegalNoticeCaption=1,"Coffer Lab"',
          'MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\LegalNoticeText=7,Authorised use only.,Activity is logged.',
          'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel=4,5',
          'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\NoLMHash=4,1',
          'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\RestrictAnonymous=4,1',
          'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\RestrictAnonymousSAM=4,1',
          'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\RestrictRemoteSAM=1,"O:BAG:BAD:(A;;RC;;;BA)"',
          'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\SCENoApplyLegacyAuditPolicy=4,1',
          'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1',
          'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,1',
          'MACHINE\\System\\CurrentControlSet\\Services\\LDAP\\LDAPClientIntegrity=4,1',
          'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\RequireSignOrSeal=4,1',
        ],
      ],
      [
        'Privilege Rights',
        [
          'SeNetworkLogonRight = *S-1-5-32-544,*S-1-5-11',
          'SeInteractiveLogonRight = *S-1-5-32-544,*S-1-5-32-545',
          `SeRemoteInteractiveLogonRight = *S-1-5-32-544,${operators}`,
          'SeDenyNetworkLogonRight = *S-1-5-32-546',
          'SeDenyRemoteInteractiveLogonRight = *S-1-5-32-546',
          'SeBackupPrivilege = *S-1-5-32-544,*S-1-5-32-551',
          'SeRestorePrivilege = *S-1-5-32-544,*S-1-5-32-551',
          'SeShutdownPrivilege = *S-1-5-32-544,*S-1-5-32-545',
          'SeSecurityPrivilege = *S-1-5-32-544',
          'SeDebugPrivilege = *S-1-5-32-544',
          'SeServiceLogonRight = *S-1-5-20,*S-1-5-19',
          'SeTakeOwnershipPrivilege = *S-1-5-32-544',
        ],
      ],
      [
        'Group Membership',
        [
          '*S-1-5-32-544__Memberof =',
          `*S-1-5-32-544__Members = ${domainAdmins},${operators}`,
          '*S-1-5-32-555__Memberof =',
          `*S-1-5-32-555__Members = ${operators}`,
        ],
      ],
      [
        'Service General Setting',
        [
          '"RemoteRegistry",4,""',
          `"Spooler",${workstation ? 2 : 4},"D:AR(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCLCSWLOCRRC;;;IU)(A;;CCLCSWLOCRRC;;;SU)"`,
          '"WinRM",2,"D:AR(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCLCSWLOCRRC;;;IU)"',
        ],
      ],
      [
        'Registry Keys',
        [
          '"MACHINE\\SOFTWARE\\Coffer",0,"D:PAR(A;CI;KA;;;BA)(A;CI;KA;;;SY)(A;CI;KR;;;BU)"',
          '"MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Eventlog\\Security",2,"D:PAR(A;CI;KA;;;BA)(A;CI;KA;;;SY)"',
        ],
      ],
      [
        'File Security',
        [
          '"%SystemRoot%\\System32\\LogFiles",0,"D:PAR(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICI;0x1200a9;;;BU)"',
          '"%ProgramData%\\Coffer",2,"D:PAR(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICI;0x1301bf;;;S-1-5-32-551)"',
        ],
      ],
      ['Version', ['signature="$CHICAGO$"', 'Revision=1']],
    ];
    return renderInf(sections);
  };
}
