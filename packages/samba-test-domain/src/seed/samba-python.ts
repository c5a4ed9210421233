/**
 * `samba-tool ntacl sysvolreset` with one change: the result of each distinct ACL is computed once and copied.
 *
 * sysvolreset calls samba's `setntacl` on every file and folder of SYSVOL twice (SYSVOL's ACL, then each GPO's ACL on
 * its own folder). Each call sets up an smbd VFS connection: 88 s for 2,011 GPOs here (72 s for 311 on a busier
 * minute), so 10,000 GPOs would take over seven minutes; this script took 2.5 s for 311. Almost every one of those calls writes the same bytes — the same owner, group, mode, POSIX ACLs and
 * security.NTACL xattr for a given (ACL, file or folder) pair, since nothing in those depends on the path. This script
 * runs the real command with samba's own code (same session, passdb and checks) but wraps `setntacl`: the first path
 * of each kind gets the real call, and every later one gets that path's resulting owner, mode and xattrs copied.
 * Compared once against a plain sysvolreset of the same 311-GPO seed (same owner, group, mode, POSIX ACLs, NT
 * security descriptor and its hashes on all 1,671 paths); test-domain.test.ts runs `samba-tool ntacl sysvolcheck`.
 */
export const FAST_SYSVOLRESET_PY = String.raw`
import os
import stat
import sys

import samba.provision as provision
from samba.netcmd.main import cmd_sambatool

real_setntacl = provision.setntacl
templates = {}


def session_key(session_info):
    try:
        return str(session_info.security_token.sids[0])
    except Exception:
        return repr(type(session_info))


def fast_setntacl(lp, path, sddl, domsid, session_info, **kwargs):
    is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
    text = sddl if isinstance(sddl, str) else sddl.as_sddl()
    options = tuple(sorted((k, str(v)) for k, v in kwargs.items() if k != 'passdb'))
    key = (text, str(domsid), is_dir, session_key(session_info), options)
    template = templates.get(key)
    if template is None:
        real_setntacl(lp, path, sddl, domsid, session_info, **kwargs)
        after = os.lstat(path)
        names = sorted(os.listxattr(path, follow_symlinks=False))
        templates[key] = (
            after.st_uid,
            after.st_gid,
            stat.S_IMODE(after.st_mode),
            [(name, os.getxattr(path, name, follow_symlinks=False)) for name in names],
        )
        return
    uid, gid, mode, xattrs = template
    os.chown(path, uid, gid, follow_symlinks=False)
    os.chmod(path, mode)
    wanted = {name for name, _ in xattrs}
    for name in os.listxattr(path, follow_symlinks=False):
        if name not in wanted:
            os.removexattr(path, name, follow_symlinks=False)
    for name, value in xattrs:
        os.setxattr(path, name, value, follow_symlinks=False)


provision.setntacl = fast_setntacl
status = cmd_sambatool()._run('samba-tool', 'ntacl', 'sysvolreset', *sys.argv[1:])
sys.stderr.write('fast sysvolreset: %d distinct ACLs\n' % len(templates))
sys.exit(status or 0)
`;

/**
 * `ldbadd` of an LDIF file, one transaction per record, without fsync.
 *
 * ldb copies every index list a record touches within a transaction (objectClass=top, container,
 * showInAdvancedViewOnly…: each as long as the partition), so adding N objects costs O(N²) whatever the batch
 * size; ldbadd's single transaction also makes each copy element by element from the transaction's index cache.
 * Measured at 15,000 objects: 8.6 ms a record in one ldbadd transaction, 3.6 ms with one transaction a record —
 * which is what this script does, through samba's own module stack (SamDB, system session). No fsync (FLG_NOSYNC):
 * the DC is a throwaway and has not started; a crash mid-seed fails the start anyway.
 * Usage: python3 add.py <smb.conf> <sam.ldb> <file.ldif>
 */
export const ADD_PER_RECORD_PY = String.raw`
import sys

import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

conf, url, ldif = sys.argv[1:4]
lp = LoadParm()
lp.load(conf)
db = SamDB(url=url, session_info=system_session(), lp=lp, flags=ldb.FLG_NOSYNC)
with open(ldif, encoding='utf-8') as f:
    text = f.read()
added = 0
for _, message in db.parse_ldif(text):
    db.transaction_start()
    try:
        db.add(message)
    except Exception:
        db.transaction_cancel()
        sys.stderr.write('could not add %s\n' % message.dn)
        raise
    db.transaction_commit()
    added += 1
sys.stderr.write('added %d records\n' % added)
`;
