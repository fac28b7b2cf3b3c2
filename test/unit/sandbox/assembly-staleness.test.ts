import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contextRecord, isAssemblyStale, SYNTH_CONTEXT_FILE } from '#sandbox/deploy/assembly.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project whose sources are an hour old and an assembly built from them a minute ago, with `context`. */
function builtWith(context: Record<string, unknown> | undefined): { root: string; assemblyDir: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'assembly-'));
  made.push(root);
  const hourAgo = new Date(Date.now() - 3_600_000);
  mkdirSync(path.join(root, 'infra'));
  for (const file of ['infra/app.ts', 'package-lock.json']) {
    writeFileSync(path.join(root, file), '');
    utimesSync(path.join(root, file), hourAgo, hourAgo);
  }
  const assemblyDir = path.join(root, 'cdk.out');
  mkdirSync(assemblyDir);
  writeFileSync(path.join(assemblyDir, 'manifest.json'), '{"artifacts":{}}');
  // As `synthesize` records it; `cdk synth` records nothing.
  if (context) writeFileSync(path.join(assemblyDir, SYNTH_CONTEXT_FILE), contextRecord(context));
  return { root, assemblyDir };
}

describe('whether the sandbox must synthesize again', () => {
  it('reuses an assembly built from the same sources with the same context, in any key order', () => {
    const { root, assemblyDir } = builtWith({ organizationId: 'o-a1b2c3d4e5', regions: ['us-east-1'] });
    expect(
      isAssemblyStale(assemblyDir, root, { regions: ['us-east-1'], organizationId: 'o-a1b2c3d4e5' }),
    ).toBe(false);
    const plain = builtWith({});
    expect(isAssemblyStale(plain.assemblyDir, plain.root)).toBe(false);
  });

  it('rebuilds when the context differs from the one the assembly was built with', () => {
    const { root, assemblyDir } = builtWith({});
    expect(isAssemblyStale(assemblyDir, root, { dryRun: 'true' })).toBe(true);
    const dryRun = builtWith({ dryRun: 'true' });
    expect(isAssemblyStale(dryRun.assemblyDir, dryRun.root, {})).toBe(true);
  });

  it('rebuilds an assembly whose context is not recorded (one `cdk synth` wrote)', () => {
    const { root, assemblyDir } = builtWith(undefined);
    expect(isAssemblyStale(assemblyDir, root, {})).toBe(true);
  });

  it('rebuilds when a source is newer than the assembly', () => {
    const { root, assemblyDir } = builtWith({});
    writeFileSync(path.join(root, 'infra/app.ts'), '// edited');
    utimesSync(path.join(root, 'infra/app.ts'), new Date(Date.now() + 1000), new Date(Date.now() + 1000));
    expect(isAssemblyStale(assemblyDir, root, {})).toBe(true);
  });
});
