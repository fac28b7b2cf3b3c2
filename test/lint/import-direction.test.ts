import { spawnSync } from 'node:child_process';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const biome = join(root, 'node_modules/.bin/biome');
const probes: string[] = [];
afterEach(() => {
  for (const probe of probes.splice(0)) rmSync(probe, { force: true });
});

/** Lint one new file at `path` (inside the repository, where biome.json's overrides apply). */
function lint(path: string, source: string): { status: number | null; output: string } {
  const file = join(root, path);
  probes.push(file);
  writeFileSync(file, source);
  // Dated 1970: a sandbox starting in another worker meanwhile must not take the sources for
  // changed and synthesize `cdk.out` again under the feet of the files deploying it.
  utimesSync(file, 0, 0);
  const result = spawnSync(biome, ['lint', '--max-diagnostics=50', path], { cwd: root, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
const probeName = (folder: string) => `${folder}/import-direction-probe-${process.pid}.ts`;
const restricted = (output: string) => output.match(/lint\/style\/noRestrictedImports/g)?.length ?? 0;

describe('imports point one way (biome noRestrictedImports)', () => {
  it('refuses product code that imports sandbox/, cli/ or test/, by alias or relative path', () => {
    const { status, output } = lint(
      probeName('statemachines/fragments'),
      [
        "import { a } from '#sandbox/index.ts';",
        "import { b } from '#cli/main.ts';",
        "import { c } from '../../sandbox/index.ts';",
        "import { d } from '../../test/infra/helpers.ts';",
        'export const all = [a, b, c, d];',
        '',
      ].join('\n'),
    );
    expect(status).toBe(1);
    expect(restricted(output)).toBe(4);
    expect(output).toContain('never imports sandbox/, cli/ or test/');
  });

  it('refuses shared/ code that imports anything of ours outside shared/', () => {
    const { status, output } = lint(
      probeName('shared/undo'),
      [
        "import { a } from '#statemachines/registry.ts';",
        "import { b } from '../../statemachines/registry.ts';",
        "import { c } from '#functions/classify/route.ts';",
        'export const all = [a, b, c];',
        '',
      ].join('\n'),
    );
    expect(status).toBe(1);
    expect(restricted(output)).toBe(3);
    expect(output).toContain('shared/ imports nothing of ours outside itself');
  });

  it('lets shared/ import itself and product code import shared/', () => {
    expect(lint(probeName('shared/undo'), "export { planUndo } from '../undo/plan.ts';\n").status).toBe(0);
    expect(
      lint(probeName('statemachines'), "export { PolicyError } from '#shared/errors.ts';\n").status,
    ).toBe(0);
  });

  it('holds for the code as it is', () => {
    const result = spawnSync(biome, ['lint', 'shared', 'functions', 'statemachines', 'infra'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(restricted(`${result.stdout}${result.stderr}`)).toBe(0);
  });
});
