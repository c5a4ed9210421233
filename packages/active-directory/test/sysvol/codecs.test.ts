import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import { AdErrorCode, firstNtStatus, normalizeSysvolPath, smbFailure } from '../../src/index.js';
import { TarArchiveEnd } from '../../src/sysvol/tar-archive-end.js';
import { expandDomainAliases } from '../../src/sysvol/sddl-domain-aliases.js';

async function tarWith(files: Array<[string, Buffer]>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of files) p.entry({ name, size: content.length }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function throughArchiveEnd(input: Buffer, chunkSize: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkSize) parts.push(input.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  for await (const c of Readable.from(parts).pipe(new TarArchiveEnd())) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('TarArchiveEnd', () => {
  it('drops what smbclient prints after the archive, keeping zero blocks inside files', async () => {
    const zeros = Buffer.alloc(2048);
    const archive = await tarWith([
      ['a/zeros.bin', zeros],
      ['a/b.txt', Buffer.from('hello')],
    ]);
    const withTrailer = Buffer.concat([
      archive,
      Buffer.from('tar: dumped 2 files and 1 directories\nTotal bytes written: 2053\n'),
    ]);
    for (const size of [1, 100, 512, 4096, 1 << 20]) {
      const out = await throughArchiveEnd(withTrailer, size);
      // Everything up to and including the two zero blocks of the end marker.
      expect(out.length % 512).toBe(0);
      expect(out.subarray(0, out.length)).toEqual(archive.subarray(0, out.length));
      expect(out.toString('latin1')).not.toContain('tar: dumped');
    }
  });

  it('passes a truncated archive through so the parser reports it', async () => {
    const archive = await tarWith([['x.bin', Buffer.alloc(5000, 7)]]);
    const cut = archive.subarray(0, 1500);
    expect((await throughArchiveEnd(cut, 700)).length).toBe(1500);
  });
});

describe('smbclient status mapping', () => {
  const context = {
    server: 'dc1.coffer.test',
    share: 'sysvol',
    path: 'coffer.test/Policies/{X}',
    account: 'COFFER\\admin',
    operation: 'reading',
  };
  it.each([
    ['session setup failed: NT_STATUS_LOGON_FAILURE', AdErrorCode.LogonFailure, 0x8007052e, false],
    ['tree connect failed: NT_STATUS_BAD_NETWORK_NAME', AdErrorCode.ShareNotFound, 0x80070043, false],
    ['NT_STATUS_OBJECT_NAME_NOT_FOUND opening remote file', AdErrorCode.PathNotFound, 0x80070003, false],
    ['do_list failed on x (NT_STATUS_NO_SUCH_FILE)', AdErrorCode.PathNotFound, 0x80070003, false],
    [
      'do_connect: Connection to 127.0.0.9 failed (Error NT_STATUS_CONNECTION_REFUSED)',
      AdErrorCode.ServerUnreachable,
      0x80070035,
      false,
    ],
    ['NT_STATUS_IO_TIMEOUT', AdErrorCode.ConnectionLost, 0x80070040, true],
    ['do_list failed (NT_STATUS_CONNECTION_DISCONNECTED)', AdErrorCode.ConnectionLost, 0x80070040, false],
    ['NT_STATUS_ACCESS_DENIED listing', AdErrorCode.AccessDenied, 0x80070005, false],
    ['something odd', AdErrorCode.SmbFailed, 0x80004005, false],
  ] as const)('%s → %s', (output, code, hresult, connected) => {
    const error = smbFailure(output, context, connected);
    expect(error.code).toBe(code);
    expect(error.hresult).toBe(hresult);
  });

  it('finds the first NT_STATUS code', () => {
    expect(firstNtStatus('a\nb NT_STATUS_END_OF_FILE c NT_STATUS_OK')).toBe('NT_STATUS_END_OF_FILE');
    expect(firstNtStatus('all good')).toBeNull();
  });
});

describe('SYSVOL paths and SDDL aliases', () => {
  it('normalises separators and refuses ..', () => {
    expect(normalizeSysvolPath('\\coffer.test\\Policies\\{X}\\')).toBe('coffer.test/Policies/{X}');
    expect(() => normalizeSysvolPath('coffer.test/../../etc')).toThrow(/\.\./);
  });

  it('expands domain-relative aliases in owner, group and trustees only', () => {
    const sid = 'S-1-5-21-1-2-3';
    expect(
      expandDomainAliases(
        'O:DAG:DUD:P(A;OICI;0x001f01ff;;;DA)(A;OICI;0x001200a9;;;AU)(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;EA)',
        sid,
      ),
    ).toBe(
      `O:${sid}-512G:${sid}-513D:P(A;OICI;0x001f01ff;;;${sid}-512)(A;OICI;0x001200a9;;;AU)(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;${sid}-519)`,
    );
  });
});
