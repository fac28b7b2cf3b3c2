import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { coverageMarkdown } from './table.ts';

/** `npm run coverage`: regenerate docs/coverage.md from the finding-type list and the default policy. */
const root = new URL('../../', import.meta.url);
const policy = loadPolicyFile(fileURLToPath(new URL('policy/default.yaml', root)));
const target = fileURLToPath(new URL('docs/coverage.md', root));
writeFileSync(target, coverageMarkdown(policy));
process.stdout.write(`wrote ${target}\n`);
