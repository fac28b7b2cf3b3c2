import { readFileSync } from 'node:fs';
import { PolicyError } from '#shared/errors.ts';
import { type Policy, PolicySchema } from './schema.ts';
import { formatPath, parseYamlWithSchema, type YamlSource } from './yaml-source.ts';

/** Where each parsed policy came from, so later checks can name lines too. */
const sources = new WeakMap<Policy, YamlSource>();

/**
 * Parse and validate a policy document. Throws {@link PolicyError} with one line per problem,
 * each naming `file:line:col` and the field, e.g.
 * `policy/default.yaml:14:7 rules[2].mode: expected one of auto|approve|dry-run|notify`.
 */
export function parsePolicy(text: string, fileName = 'policy.yaml'): Policy {
  const { value, source } = parseYamlWithSchema(text, fileName, PolicySchema);
  sources.set(value, source);
  return value;
}

/** Read and parse a policy file; an unreadable file is a {@link PolicyError} too. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new PolicyError(`${path}: cannot read the policy file (${code})`, { cause: error });
  }
  return parsePolicy(text, path);
}

/** `file:line:col ` of `path` when the policy was parsed from YAML, else nothing. */
export function whereIn(policy: Policy, path: (string | number)[]): string {
  const source = sources.get(policy);
  return source ? `${source.locate(path)} ` : '';
}

/**
 * One message per rule that names a playbook not in `known` (the registry of deployed
 * playbooks), with its position when the policy was parsed from YAML.
 */
export function checkPlaybooks(policy: Policy, known: readonly string[]): string[] {
  const source = sources.get(policy);
  const problems: string[] = [];
  const check = (playbook: string | undefined, path: (string | number)[]) => {
    if (playbook === undefined || known.includes(playbook)) return;
    const where = source ? `${source.locate(path)} ` : '';
    problems.push(
      `${where}${formatPath(path)}: unknown playbook "${playbook}" (known: ${known.join(', ') || 'none'})`,
    );
  };
  policy.rules.forEach((rule, index) => {
    check(rule.playbook, ['rules', index, 'playbook']);
    check(rule.next?.playbook, ['rules', index, 'next', 'playbook']);
  });
  return problems;
}
