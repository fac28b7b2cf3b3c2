import { disableAccessKey } from './disable-access-key.ts';
import type { PlaybookDefinition } from './playbook.ts';

/**
 * The playbooks this product ships. The policy may only name these.
 * Adding a playbook: its module in this folder, one line here, its test.
 */
export const playbooks: readonly PlaybookDefinition[] = [disableAccessKey];

export const playbookNames: readonly string[] = playbooks.map((p) => p.name);
