import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coverageMarkdown, coverageRows, isVisible } from '#cli/finding-coverage/table.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';

const root = new URL('../../', import.meta.url);
const policy = loadPolicyFile(fileURLToPath(new URL('policy/default.yaml', root)));

describe('docs/coverage.md', () => {
  it('is what `npm run coverage` generates from the finding-type list and policy/default.yaml', () => {
    const onDisk = readFileSync(fileURLToPath(new URL('docs/coverage.md', root)), 'utf8');

    expect(onDisk, 'docs/coverage.md is stale: run `npm run coverage`').toBe(coverageMarkdown(policy));
  });

  it('gives every GuardDuty finding type, on every resource type, a visible outcome', () => {
    const { rows } = coverageRows(policy);

    expect(rows.length).toBeGreaterThan(250);
    expect(rows.filter((row) => !isVisible(row))).toEqual([]);
  });
});
