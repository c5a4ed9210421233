import { z } from 'zod';
import { connectionOptions } from '../options.js';

/** `coffer gpo list`: the domain's GPOs as they are now (Get-GPO -All). */
export const gpoListOptions = z.object({
  ...connectionOptions,
  name: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Only GPOs whose display name matches (wildcards * and ?, case-insensitive) or with this GUID (repeatable); a name without wildcards that matches no GPO is an error.',
    ),
});

/** `coffer gpo links`: where GPOs are linked, per container (Get-GPInheritance). */
export const gpoLinksOptions = z.object({
  ...connectionOptions,
  target: z
    .string()
    .min(1)
    .optional()
    .describe(
      'One domain or OU, by DN or path (corp.example/Sales/Laptops): its own links and every GPO it inherits, in precedence order.',
    ),
});

export type GpoListOptions = z.infer<typeof gpoListOptions>;
export type GpoLinksOptions = z.infer<typeof gpoLinksOptions>;
