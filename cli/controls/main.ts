import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { playbooks } from '#statemachines/registry.ts';
import { controlsMarkdown } from './table.ts';

/** `npm run docs:controls`: regenerate docs/controls.md from the playbooks' facts and the default policy. */
const root = new URL('../../', import.meta.url);
const policy = loadPolicyFile(fileURLToPath(new URL('policy/default.yaml', root)));
const target = fileURLToPath(new URL('docs/controls.md', root));
writeFileSync(target, controlsMarkdown(policy, playbooks));
process.stdout.write(`wrote ${target}\n`);
