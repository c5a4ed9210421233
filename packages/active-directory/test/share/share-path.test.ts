import { describe, expect, test } from 'vitest';
import { isSmbSharePath, parseSmbSharePath } from '../../src/index.js';

describe('SMB share paths', () => {
  test('//server/share/folder and \\\\server\\share\\folder name the same folder', () => {
    const expected = { server: 'dc1.corp.example', share: 'backups', folder: 'gpo/nightly' };
    expect(parseSmbSharePath('//dc1.corp.example/backups/gpo/nightly')).toMatchObject(expected);
    expect(parseSmbSharePath('\\\\dc1.corp.example\\backups\\gpo\\nightly\\')).toMatchObject(expected);
    expect(parseSmbSharePath('//dc1/backups')).toMatchObject({ folder: '', display: '//dc1/backups' });
  });

  test('only a path starting with two slashes is a share; a local absolute path is not', () => {
    expect(isSmbSharePath('//dc1/backups')).toBe(true);
    expect(isSmbSharePath('\\\\dc1\\backups')).toBe(true);
    expect(isSmbSharePath('/srv/backups')).toBe(false);
    expect(isSmbSharePath('backups')).toBe(false);
    expect(isSmbSharePath('///x')).toBe(false);
  });

  test.each([
    ['//dc1', 'names no share'],
    ['//dc1/backups/../etc', '. or .. step'],
    ['//dc1/backups/./x', '. or .. step'],
    ['//dc1/backups/a"b', 'smbclient cannot carry'],
    ['//dc1/backups/a;deltree x', 'smbclient cannot carry'],
    ['//dc1/backups/a\nb', 'smbclient cannot carry'],
  ])('%j is refused (AD_UNSUPPORTED_PATH, ERROR_BAD_PATHNAME): %s', (path, why) => {
    expect(() => parseSmbSharePath(path)).toThrow(
      expect.objectContaining({ code: 'AD_UNSUPPORTED_PATH', hresult: 0x800700a1 }),
    );
    expect(() => parseSmbSharePath(path)).toThrow(why);
  });
});
