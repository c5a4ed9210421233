import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flagName, optionSpecsFor } from '../src/options/option-specs.js';

describe('optionSpecsFor: a provider schema as command-line flags', () => {
  it('names flags in kebab case', () => {
    expect(flagName('passwordFile')).toBe('password-file');
    expect(flagName('caFile')).toBe('ca-file');
    expect(flagName('dc')).toBe('dc');
    expect(flagName('backupID')).toBe('backup-id');
    expect(flagName('ca_file')).toBe('ca-file');
    expect(flagName('URLPath')).toBe('url-path');
  });

  it('describes kinds, arrays, choices, defaults and required options', () => {
    const specs = optionSpecsFor(
      z.object({
        dc: z.string().describe('Domain controller.'),
        gpo: z.array(z.string()).optional(),
        ports: z.array(z.number().int()).optional(),
        all: z.boolean().default(false),
        retries: z.number().int().optional(),
        ratio: z.number().optional(),
        level: z.enum(['low', 'high']).default('low'),
        either: z.union([z.string(), z.array(z.string())]).optional(),
        nullable: z.string().nullable().optional(),
        extra: z.object({ a: z.string() }).optional(),
      }),
      'test',
    );
    const byProperty = Object.fromEntries(specs.map((s) => [s.property, s]));
    expect(byProperty.dc).toMatchObject({
      flag: 'dc',
      kind: 'string',
      repeatable: false,
      required: true,
      description: 'Domain controller.',
    });
    expect(byProperty.gpo).toMatchObject({ kind: 'string', repeatable: true, required: false });
    expect(byProperty.ports).toMatchObject({ kind: 'integer', repeatable: true });
    expect(byProperty.all).toMatchObject({ kind: 'boolean', defaultValue: false, required: false });
    expect(byProperty.retries).toMatchObject({ kind: 'integer' });
    expect(byProperty.ratio).toMatchObject({ kind: 'number' });
    expect(byProperty.level).toMatchObject({ kind: 'string', choices: ['low', 'high'], defaultValue: 'low' });
    expect(byProperty.either).toMatchObject({ kind: 'string', repeatable: true });
    expect(byProperty.nullable).toMatchObject({ kind: 'string', repeatable: false });
    expect(byProperty.extra).toMatchObject({ kind: 'json' });
  });

  it('reads the secret meta keys wherever zod put them', () => {
    const specs = optionSpecsFor(
      z.object({
        password: z.string().optional().meta({ secret: true, env: 'COFFER_PASSWORD', fileOption: 'passwordFile' }),
        passwordFile: z.string().optional(),
        token: z.string().meta({ secret: true }).optional(),
      }),
      'test',
    );
    expect(specs.find((s) => s.property === 'password')!.secret).toEqual({
      env: 'COFFER_PASSWORD',
      fileOption: 'passwordFile',
    });
    expect(specs.find((s) => s.property === 'token')!.secret).toEqual({});
    expect(specs.find((s) => s.property === 'passwordFile')!.secret).toBeUndefined();
  });

  it('lets a provider command take --out (nothing of the CLI shares it) but never the global flags', () => {
    expect(optionSpecsFor(z.object({ out: z.string() }), 'p', 'command').map((s) => s.flag)).toEqual(['out']);
    expect(() => optionSpecsFor(z.object({ json: z.boolean() }), 'p', 'command')).toThrow(/--json/);
    expect(() => optionSpecsFor(z.object({ cwd: z.string() }), 'p', 'command')).toThrow(/--cwd/);
  });

  it('maps a boolean named noSomething to the switch --no-something', () => {
    const [spec] = optionSpecsFor(z.object({ noLicensor: z.boolean().optional() }), 'p');
    expect(spec).toMatchObject({ property: 'noLicensor', flag: 'no-licensor', kind: 'boolean' });
  });

  it('refuses options that cannot be flags, naming the option', () => {
    expect(() => optionSpecsFor(z.object({ out: z.string() }), 'p')).toThrow(
      /option 'out' would be --out, which the coffer CLI reserves/,
    );
    expect(() => optionSpecsFor(z.object({ json: z.boolean() }), 'p')).toThrow(/--json/);
    expect(() => optionSpecsFor(z.object({ caFile: z.string(), ca_file: z.string() }), 'p')).toThrow(
      /options 'caFile' and 'ca_file' would both be --ca-file/,
    );
    expect(() => optionSpecsFor(z.object({ noProxy: z.string() }), 'p')).toThrow(/negation of --proxy; only a boolean/);
    expect(() => optionSpecsFor(z.object({ verify: z.boolean(), noVerify: z.boolean() }), 'p')).toThrow(
      /would both be --verify/,
    );
    expect(() => optionSpecsFor(z.object({ noColor: z.boolean() }), 'p')).toThrow(/reserves/);
    expect(() =>
      optionSpecsFor(z.object({ pw: z.string().meta({ secret: true, fileOption: 'pwFile' }) }), 'p'),
    ).toThrow(/fileOption 'pwFile', which is not one of its options/);
    try {
      optionSpecsFor(z.object({ cwd: z.string() }), 'p');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ name: 'CofferError', code: 'PROVIDER_INVALID', object: 'p' });
    }
  });
});
