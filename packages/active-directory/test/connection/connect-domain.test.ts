import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeOptions, type StatusMessage } from '@coffer/core';
import { z } from 'zod';
import {
  AdErrorCode,
  adConnectionShape,
  connectDomain,
  credentialsFromOptions,
  dnsNameFromDn,
  escapeFilterBytes,
  escapeFilterValue,
} from '../../src/index.js';
import { testDomain, writeTempFile } from '../helpers/test-domain.js';

const domain = testDomain();

describe('adConnectionShape', () => {
  const schema = z.object(adConnectionShape);

  it('has the flags every AD provider shares, the password a secret read from COFFER_PASSWORD or passwordFile', () => {
    const json = describeOptions(schema) as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(Object.keys(json.properties)).toEqual([
      'dc',
      'domain',
      'user',
      'password',
      'passwordFile',
      'caFile',
      'tlsVerify',
      'ldapSecurity',
      'sysvol',
    ]);
    expect(json.required.sort()).toEqual(['dc', 'user']);
    expect(json.properties.password).toMatchObject({
      secret: true,
      env: 'COFFER_PASSWORD',
      fileOption: 'passwordFile',
    });
    for (const property of Object.values(json.properties)) expect(property.description).toEqual(expect.any(String));
  });

  it('defaults to verified LDAPS and refuses empty values', () => {
    expect(schema.parse({ dc: 'dc1.corp.example', user: 'admin' })).toEqual({
      dc: 'dc1.corp.example',
      user: 'admin',
      tlsVerify: true,
      ldapSecurity: 'ldaps',
    });
    expect(schema.safeParse({ dc: 'dc1.corp.example', user: 'admin', password: '' }).success).toBe(false);
    expect(schema.safeParse({ dc: 'dc1.corp.example', user: 'admin', ldapSecurity: 'ldap' }).success).toBe(false);
  });

  it('lets a provider override one field and keep the rest', () => {
    const starter = z.object({
      ...adConnectionShape,
      dc: adConnectionShape.dc.optional().describe('Needed unless --sysvol.'),
      password: adConnectionShape.password.describe('Password.'),
    });
    expect(starter.parse({ user: 'admin' }).dc).toBeUndefined();
    const json = describeOptions(starter) as { properties: Record<string, Record<string, unknown>> };
    expect(json.properties.dc?.description).toBe('Needed unless --sysvol.');
    expect(json.properties.password).toMatchObject({
      secret: true,
      env: 'COFFER_PASSWORD',
      fileOption: 'passwordFile',
      description: 'Password.',
    });
  });
});

describe('credentialsFromOptions', () => {
  it('takes the account’s domain from the user, else --domain, else the DC’s DNS suffix', async () => {
    const password = 'Pa55-word';
    expect(
      await credentialsFromOptions({ user: 'admin@corp.example', domain: 'other.example', password }),
    ).toMatchObject({ user: 'admin', domain: 'corp.example', source: 'value' });
    expect(await credentialsFromOptions({ user: 'CORP\\admin', domain: 'other.example', password })).toMatchObject({
      user: 'admin',
      domain: 'CORP',
    });
    expect(
      await credentialsFromOptions({ user: 'admin', domain: 'corp.example', dc: 'dc1.elsewhere.example', password }),
    ).toMatchObject({ user: 'admin', domain: 'corp.example' });
    expect(await credentialsFromOptions({ user: 'admin', dc: 'dc1.corp.example', password })).toMatchObject({
      user: 'admin',
      domain: 'corp.example',
    });
    await expect(credentialsFromOptions({ user: 'admin', dc: 'dc1', password })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(credentialsFromOptions({ domain: 'corp.example', password })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('reads a named password file first, else takes the password given, and never shows it', async () => {
    const file = writeTempFile('pw', 'From-The-File\n');
    const fromFile = await credentialsFromOptions({
      user: 'admin@corp.example',
      passwordFile: file,
      password: 'From-The-Value',
    });
    expect(fromFile.source).toBe('file');
    expect(fromFile.password.reveal()).toBe('From-The-File');
    const fromValue = await credentialsFromOptions({ user: 'admin@corp.example', password: 'From-The-Value' });
    expect(fromValue.password.reveal()).toBe('From-The-Value');
    expect(JSON.stringify(fromValue)).not.toContain('From-The-Value');
  });

  it('without a password, reads COFFER_PASSWORD and never prompts', async () => {
    const saved = process.env.COFFER_PASSWORD;
    try {
      process.env.COFFER_PASSWORD = 'From-The-Environment';
      expect(await credentialsFromOptions({ user: 'admin@corp.example' })).toMatchObject({ source: 'environment' });
      delete process.env.COFFER_PASSWORD;
      await expect(credentialsFromOptions({ user: 'admin@corp.example' })).rejects.toMatchObject({
        code: AdErrorCode.CredentialsMissing,
      });
    } finally {
      if (saved === undefined) delete process.env.COFFER_PASSWORD;
      else process.env.COFFER_PASSWORD = saved;
    }
  });
});

describe('LDAP names', () => {
  it('escapes filter values and bytes (RFC 4515) and reads a DNS name from a DN', () => {
    expect(escapeFilterValue('a*(b)\\c\0')).toBe('a\\2a\\28b\\29\\5cc\\00');
    expect(escapeFilterBytes(Uint8Array.from([1, 0xab, 0]))).toBe('\\01\\ab\\00');
    expect(dnsNameFromDn('DC=Corp, DC=Example')).toBe('corp.example');
    expect(dnsNameFromDn('OU=x,DC=corp,DC=example')).toBe('corp.example');
  });
});

describe('connectDomain against the test DC', () => {
  const options = {
    dc: domain.dcHostname,
    user: domain.adminUser,
    domain: domain.dnsDomain,
    password: domain.adminPassword,
    caFile: domain.caFile,
  };

  it('binds with the options’ account and reads the domain facts', async () => {
    const { credentials, ldap, facts } = await connectDomain(options);
    try {
      expect(credentials).toMatchObject({ user: domain.adminUser, domain: domain.dnsDomain });
      expect(ldap.isConnected).toBe(true);
      const guid = /^objectGUID: ([0-9a-f-]{36})$/im.exec(
        execFileSync('ldbsearch', ['-H', domain.samLdbPath, '-b', domain.baseDn, '-s', 'base', 'objectGUID'], {
          encoding: 'utf8',
        }),
      )?.[1];
      expect(facts).toEqual({
        baseDn: domain.baseDn,
        configurationDn: `CN=Configuration,${domain.baseDn}`,
        dnsDomain: domain.dnsDomain,
        netbiosDomain: domain.netbiosDomain,
        domainGuid: `{${guid?.toLowerCase()}}`,
        domainSid: (domain.seed?.groups[0]?.sid ?? '').replace(/-\d+$/, ''),
        dcHostName: domain.dcHostname,
      });
    } finally {
      await ldap.close();
    }
  });

  it('reaches the DC over StartTLS, and warns when told not to verify its certificate', async () => {
    const messages: StatusMessage[] = [];
    const startTls = await connectDomain({ ...options, ldapSecurity: 'starttls' }, (m) => messages.push(m));
    await startTls.ldap.close();
    expect(startTls.facts.baseDn).toBe(domain.baseDn);
    expect(messages).toEqual([]);
    const { caFile: _verified, ...unverified } = options;
    const { ldap, facts } = await connectDomain({ ...unverified, tlsVerify: false }, (m) => messages.push(m));
    await ldap.close();
    expect(facts.baseDn).toBe(domain.baseDn);
    expect(messages).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'TLS_VERIFY_OFF', object: domain.dcHostname }),
    ]);
  });

  it('fails with the LDAP error of a wrong password, without showing it', async () => {
    const error = await connectDomain({ ...options, password: 'Not-The-Password-1' }).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(error).toMatchObject({ code: AdErrorCode.LogonFailure });
    expect(error?.message).not.toContain('Not-The-Password-1');
  });
});
