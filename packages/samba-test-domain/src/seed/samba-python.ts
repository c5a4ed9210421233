/**
 * `samba-tool ntacl sysvolreset` with two changes: the result of each distinct ACL is computed once and copied, and
 * each path gets only its final copy, once.
 *
 * sysvolreset calls samba's `setntacl` on every file and folder of SYSVOL twice (SYSVOL's ACL, then each GPO's ACL on
 * its own folder). Each call sets up an smbd VFS connection: 88 s for 2,011 GPOs here, so 10,000 GPOs would take over
 * seven minutes. Almost every one of those calls writes the same bytes — the same owner, group, mode, POSIX ACLs and
 * security.NTACL xattr for a given (ACL, file or folder) pair, since nothing in those depends on the path. This script
 * runs the real command with samba's own code (same session, passdb and checks) but wraps `setntacl`: the first path
 * of each kind gets the real call, and every later one is noted to get that path's resulting owner, mode and xattrs.
 * A copy sets the whole state (owner, mode, every xattr, others removed), so only a path's last one counts: the
 * copies are made once at the end, 8 at a time, not once per pass (the first pass's copy on a GPO's files was
 * overwritten by the second: half of the xattr writes, which cost about 64 µs each on ext4, 17 s of 26 at 10,000
 * GPOs). A path that gets a real call gets its pending copy first, so every real call sees the state it saw when each
 * call was made in turn. Compared with the one-copy-per-call version, sequential and threaded, at 50 and 10,000 GPOs
 * (getfattr and getfacl dumps of SYSVOL, owners and modes: identical but for the time the NT ACL blob records), and
 * once with a plain sysvolreset of a 311-GPO seed; test-domain.test.ts runs `samba-tool ntacl sysvolcheck`.
 */
export const FAST_SYSVOLRESET_PY = String.raw`
import os
import stat
import sys
from concurrent.futures import ThreadPoolExecutor

import samba.provision as provision
from samba.netcmd.main import cmd_sambatool

real_setntacl = provision.setntacl
templates = {}
# path -> the template it gets last (a later call replaces an earlier one).
pending = {}


def session_key(session_info):
    try:
        return str(session_info.security_token.sids[0])
    except Exception:
        return repr(type(session_info))


def copy(path, template):
    uid, gid, mode, xattrs = template
    os.chown(path, uid, gid, follow_symlinks=False)
    os.chmod(path, mode)
    wanted = {name for name, _ in xattrs}
    for name in os.listxattr(path, follow_symlinks=False):
        if name not in wanted:
            os.removexattr(path, name, follow_symlinks=False)
    for name, value in xattrs:
        os.setxattr(path, name, value, follow_symlinks=False)


def fast_setntacl(lp, path, sddl, domsid, session_info, **kwargs):
    is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
    text = sddl if isinstance(sddl, str) else sddl.as_sddl()
    options = tuple(sorted((k, str(v)) for k, v in kwargs.items() if k != 'passdb'))
    key = (text, str(domsid), is_dir, session_key(session_info), options)
    template = templates.get(key)
    if template is not None:
        pending[path] = template
        return
    earlier = pending.pop(path, None)
    if earlier is not None:
        copy(path, earlier)
    real_setntacl(lp, path, sddl, domsid, session_info, **kwargs)
    after = os.lstat(path)
    names = sorted(os.listxattr(path, follow_symlinks=False))
    templates[key] = (
        after.st_uid,
        after.st_gid,
        stat.S_IMODE(after.st_mode),
        [(name, os.getxattr(path, name, follow_symlinks=False)) for name in names],
    )


provision.setntacl = fast_setntacl
status = cmd_sambatool()._run('samba-tool', 'ntacl', 'sysvolreset', *sys.argv[1:])
if not status:
    # Each xattr write waits on ext4's journal far longer than it computes (7 s CPU in 40-73 s at 10,000 GPOs on a
    # loaded machine): 8 threads (os calls release the GIL) overlap the waits, 21-25 s. Each path is one thread's.
    with ThreadPoolExecutor(8) as pool:
        for _ in pool.map(lambda item: copy(*item), pending.items(), chunksize=256):
            pass
sys.stderr.write('fast sysvolreset: %d distinct ACLs, %d paths copied\n' % (len(templates), len(pending)))
sys.exit(status or 0)
`;

/**
 * Adds an LDIF file's records to sam.ldb in one transaction, in ldb's batch mode, without fsync.
 *
 * ldb wraps every operation of a transaction in a sub-transaction, and commits it by copying every index list the
 * record touched (objectClass=top, container, showInAdvancedViewOnly…: each as long as the partition) into the
 * transaction's index cache (ldb_kv_index_sub_transaction_commit → talloc_memdup), so adding N objects cost O(N²):
 * 1,022 s for the 30,000 records of 10,000 GPOs, in one transaction or one per record. `batch_mode:1` (the option
 * Samba's own provision and join open SamDB with) drops the sub-transactions: a failed operation aborts the whole
 * transaction instead of only itself, which a seed that must add every record wants anyway (test/seed-add.test.ts).
 * 30,003 records: 10.4 s CPU. The transaction's index cache (an in-memory tdb hash, 491 slots by default) gets two
 * slots a record, as provision sizes it for its batch: 15.5 s CPU with the default, no gain past that. Records go
 * through samba's own module stack (SamDB, system session), as ldbadd's would. No fsync (FLG_NOSYNC): the DC is a throwaway and has not started; a crash mid-seed
 * fails the start anyway.
 * Usage: python3 add.py <smb.conf> <sam.ldb> <file.ldif>
 */
export const ADD_BATCH_PY = String.raw`
import sys

import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

conf, url, ldif = sys.argv[1:4]
lp = LoadParm()
lp.load(conf)
with open(ldif, encoding='utf-8') as f:
    text = f.read()
# Two index cache slots a record: the default 491 makes long hash chains past a few thousand records.
records = text.count('\ndn: ') + 1
options = ['batch_mode:1', 'transaction_index_cache_size:%d' % max(491, records * 2 + 1)]
db = SamDB(url=url, session_info=system_session(), lp=lp, flags=ldb.FLG_NOSYNC, options=options)
added = 0
db.transaction_start()
try:
    for _, message in db.parse_ldif(text):
        try:
            db.add(message)
        except Exception:
            sys.stderr.write('could not add %s\n' % message.dn)
            raise
        added += 1
except Exception:
    db.transaction_cancel()
    raise
db.transaction_commit()
sys.stderr.write('added %d records\n' % added)
`;
