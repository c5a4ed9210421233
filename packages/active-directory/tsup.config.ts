import { libraryBuild } from '../../tsup.shared.js';

// Two entry points: the whole package (index), and its security-descriptor, SID and GUID codec alone (security), for
// readers of backups that never talk to a domain: that one loads no LDAP or SMB code.
export default libraryBuild({ entry: { index: 'src/index.ts', security: 'src/security/index.ts' } });
