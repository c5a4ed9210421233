import { defineOptionMeta } from '@coffer/core';
import { z } from 'zod';

/**
 * The options every Active Directory provider takes to reach a domain, as a zod shape to spread into its options
 * schema, so every provider has the same CLI flags: `--dc`, `--domain`, `--user`, `--password-file`, `--ca-file`,
 * `--tls-verify` / `--no-tls-verify`, `--ldap-security`, `--sysvol`. The password is a secret and never a flag
 * (the CLI takes it from COFFER_PASSWORD, the file `passwordFile` names, or a prompt).
 *
 * A provider that works differently overrides a field by spreading its own after these, e.g. an optional `dc`
 * when it can work from a local `sysvol` alone, or a `sysvol` description naming the folder it reads.
 */
export const adConnectionShape = {
  dc: z
    .string()
    .min(1)
    .describe('Domain controller to read from, by the FQDN its TLS certificate names (e.g. dc1.corp.example).'),
  domain: z.string().min(1).optional().describe('DNS name of the domain (default: read from the DC).'),
  user: z.string().min(1).describe('Account to bind as: name (with --domain), name@domain or DOMAIN\\name.'),
  password: z
    .string()
    .min(1)
    .optional()
    .meta(defineOptionMeta({ secret: true, env: 'COFFER_PASSWORD', fileOption: 'passwordFile' }))
    .describe('Password of the account (never a flag: COFFER_PASSWORD, --password-file, or a prompt).'),
  passwordFile: z.string().min(1).optional().describe('File whose first line is the password (mode 0600).'),
  caFile: z
    .string()
    .min(1)
    .optional()
    .describe("PEM file of the CA that issued the DC's certificate (default: the system trust store)."),
  tlsVerify: z
    .boolean()
    .default(true)
    .describe('Verify the DC certificate. --no-tls-verify is for labs only: anyone on the path can read the password.'),
  ldapSecurity: z.enum(['ldaps', 'starttls']).default('ldaps').describe('LDAPS on 636, or StartTLS on 389.'),
  sysvol: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Read SYSVOL from this local or mounted folder (the share root, holding a folder named after the domain) instead of over SMB.',
    ),
};

/** Parsed {@link adConnectionShape} options. */
export type AdConnectionOptions = z.infer<z.ZodObject<typeof adConnectionShape>>;
