import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema } from '#cli/commands/policy.ts';
import { POLICY_DOCS, renderPolicyDocs } from '../../../docs/generate-policy-docs.ts';

describe('docs/policy.md', () => {
  it('is what docs/generate-policy-docs.ts writes from the schema now (regenerate it when this fails)', () => {
    expect(readFileSync(POLICY_DOCS, 'utf8')).toBe(renderPolicyDocs());
  });

  it('documents every top-level field of the JSON Schema, each with a meaning', () => {
    const page = readFileSync(POLICY_DOCS, 'utf8');
    const fields = Object.keys((policyJsonSchema() as { properties: object }).properties);
    expect(fields.length).toBeGreaterThan(8);
    for (const field of fields)
      expect(page).toMatch(new RegExp(`^\\| \`${field}\` \\|[^|]+\\|[^|]*\\| \\S`, 'm'));
  });
});
