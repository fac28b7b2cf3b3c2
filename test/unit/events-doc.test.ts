import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventsMarkdown } from '#cli/events-doc/markdown.ts';
import { FINDING_PATTERNS } from '#infra/constructs/finding-router.ts';
import { CONFIG_RULE_SEVERITY } from '#shared/findings/config.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';

const root = new URL('../../', import.meta.url);
const policy = loadPolicyFile(fileURLToPath(new URL('policy/default.yaml', root)));

describe('docs/events.md', () => {
  it('is what `npm run docs:events` generates from the rules, the normalizers and policy/default.yaml', () => {
    const onDisk = readFileSync(fileURLToPath(new URL('docs/events.md', root)), 'utf8');

    expect(onDisk, 'docs/events.md is stale: run `npm run docs:events`').toBe(eventsMarkdown(policy));
  });

  it('lists every rule, source, detail-type, event name and Config rule, each with an outcome', () => {
    const page = eventsMarkdown(policy);
    const rows = page.split('\n').filter((line) => line.startsWith('| `'));

    for (const [name, pattern] of Object.entries(FINDING_PATTERNS)) {
      expect(page).toContain(`| ${name} |`);
      for (const source of pattern.source ?? []) expect(page).toContain(`\`${source}\``);
      for (const type of pattern.detailType ?? []) expect(page).toContain(`\`${type}\``);
      for (const event of (pattern.detail?.eventName as string[] | undefined) ?? []) {
        const row = rows.find((r) => r.startsWith(`| \`${event}\``));
        // A call whose sample the normalizer rejects has no outcome: the page must not hide it.
        expect(row, event).toMatch(/\): (notify|skipped|`[a-z-]+` (auto|approve))/);
      }
    }
    for (const rule of Object.keys(CONFIG_RULE_SEVERITY)) {
      expect(
        rows.find((r) => r.startsWith(`| \`${rule}\``)),
        rule,
      ).toMatch(/resource type/);
    }
  });

  it('shows what the policy does at each severity: an auto rule’s threshold and what is left below it', () => {
    const row = eventsMarkdown(policy)
      .split('\n')
      .find((r) => r.startsWith('| `AuthorizeSecurityGroupIngress`'));

    expect(row).toContain(
      '≥ 7: `revoke-open-ingress` auto (rule `cloudtrail-world-open-ingress`); 4 to < 7: notify (rule `cloudtrail-world-open-other-port`); < 4: skipped',
    );
  });
});
