import { z } from '@coffer/core';

/**
 * How to reach the domain. The same option names serve every AD provider, so the CLI
 * shows the same flags (`--dc`, `--user`, `--password-file`, `--ca-file`, `--sysvol`...).
 */
export const connectionOptions = {
  dc: z.string().min(1).describe('Domain controller to read from, by the FQDN its TLS certificate names (e.g. dc1.corp.example).'),
  domain: z.string().min(1).optional().describe('DNS name of the domain (default: read from the DC).'),
  user: z.string().min(1).describe('Account to bind as: name (with --domain), name@domain or DOMAIN\\name.'),
  password: z
    .string()
    .optional()
    .meta({ secret: true, env: 'COFFER_PASSWORD', fileOption: 'passwordFile' })
    .describe('Password of the account (never a flag: COFFER_PASSWORD, --password-file, or a prompt).'),
  passwordFile: z.string().min(1).optional().describe('File whose first line is the password (mode 0600).'),
  caFile: z.string().min(1).optional().describe("PEM file of the CA that issued the DC's certificate (default: the system trust store)."),
  tlsVerify: z
    .boolean()
    .default(true)
    .describe('Verify the DC certificate. --no-tls-verify is for labs only: anyone on the path can read the password.'),
  ldapSecurity: z.enum(['ldaps', 'starttls']).default('ldaps').describe('LDAPS on 636, or StartTLS on 389.'),
  sysvol: z
    .string()
    .min(1)
    .optional()
    .describe('Read SYSVOL from this local or mounted folder (the share root, holding <domain>/Policies) instead of over SMB.'),
};

export const gpoBackupOptions = z
  .object({
    ...connectionOptions,
    gpo: z.array(z.string().min(1)).default([]).describe('GPO to back up, by display name or GUID (repeatable).'),
    all: z.boolean().default(false).describe('Back up every GPO of the domain.'),
  })
  .refine((o) => o.all !== o.gpo.length > 0, { message: 'name GPOs with gpo, or ask for all of them with all (one or the other)', path: ['gpo'] });

export type ConnectionOptions = z.infer<z.ZodObject<typeof connectionOptions>>;
export type GpoBackupOptions = z.infer<typeof gpoBackupOptions>;
