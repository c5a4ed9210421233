import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';
import { findProgram } from './samba-install.js';

export interface DcCertificateFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * Writes a fresh CA and a DC certificate (SAN: the DC FQDN, the domain, the address) into Samba's tls folder.
 * 2048-bit keys from openssl take a fraction of a second; Samba's own fallback makes 4096-bit ones and has no SAN.
 * Returns null when openssl is missing, leaving Samba to generate its own.
 */
export async function writeDcCertificates(
  tlsDir: string,
  dcHostname: string,
  dnsDomain: string,
  address: string,
): Promise<DcCertificateFiles | null> {
  if ((await findProgram('openssl')) === null) return null;
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const caKey = join(tlsDir, 'ca-key.pem');
  const caFile = join(tlsDir, 'ca.pem');
  const keyFile = join(tlsDir, 'key.pem');
  const certFile = join(tlsDir, 'cert.pem');
  const csr = join(tlsDir, 'dc.csr');
  const extFile = join(tlsDir, 'dc.ext');
  const id = Math.random().toString(36).slice(2, 10);
  await runCommand('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '30',
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-subj',
    `/O=Coffer test domain/CN=Coffer test CA ${dnsDomain} ${id}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await runCommand('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-keyout',
    keyFile,
    '-out',
    csr,
    '-subj',
    `/O=Coffer test domain/CN=${dcHostname}`,
  ]);
  await writeFile(
    extFile,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=DNS:${dcHostname},DNS:${dnsDomain},IP:${address}`,
      '',
    ].join('\n'),
  );
  await runCommand('openssl', [
    'x509',
    '-req',
    '-sha256',
    '-days',
    '30',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    certFile,
    '-extfile',
    extFile,
  ]);
  // Samba refuses a private key that others can read.
  await chmod(keyFile, 0o600);
  await chmod(caKey, 0o600);
  await rm(csr, { force: true });
  await rm(extFile, { force: true });
  return { caFile, certFile, keyFile };
}
