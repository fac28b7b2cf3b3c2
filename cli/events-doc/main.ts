import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { eventsMarkdown } from './markdown.ts';

/** `npm run docs:events`: regenerate docs/events.md from the rules, the normalizers and the default policy. */
const root = new URL('../../', import.meta.url);
const policy = loadPolicyFile(fileURLToPath(new URL('policy/default.yaml', root)));
const target = fileURLToPath(new URL('docs/events.md', root));
writeFileSync(target, eventsMarkdown(policy));
process.stdout.write(`wrote ${target}\n`);
