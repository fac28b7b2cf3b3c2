/**
 * Writes docs/policy.md: every field of a policy file, with its type, default and the TSDoc its
 * zod schema carries in shared/policy/. Run `npx tsx docs/generate-policy-docs.ts` after changing
 * the schema; test/e2e/docs/policy-docs.test.ts fails while the page is stale.
 *
 * The descriptions are the schema's own comments, read with the TypeScript compiler (zod keeps no
 * comments at run time); types and defaults come from the JSON Schema `remediate policy schema`
 * prints, so the page and the schema cannot disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { policyJsonSchema } from '#cli/commands/policy.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCES = ['shared/policy/schema.ts', 'shared/policy/selector.ts'];
/** The page this script writes. */
export const POLICY_DOCS = path.join(ROOT, 'docs/policy.md');

interface Field {
  path: string;
  doc: string;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  additionalProperties?: unknown;
};

/** The `/** … *\/` comment just before `node`, as one line of text. */
function docComment(node: ts.Node, source: ts.SourceFile): string {
  const text = source.getFullText().slice(node.getFullStart(), node.getStart(source));
  const comment = [...text.matchAll(/\/\*\*([\s\S]*?)\*\//g)].at(-1)?.[1] ?? '';
  return comment
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .join(' ')
    .replace(/\{@link (\w+)\}/g, '`$1`')
    .replace(/@default\s+.*$/, '')
    .trim();
}

/** Every `const NameSchema = …` of the sources, by name. */
function declarations(): Map<string, { init: ts.Expression; source: ts.SourceFile }> {
  const found = new Map<string, { init: ts.Expression; source: ts.SourceFile }>();
  for (const file of SOURCES) {
    const source = ts.createSourceFile(
      file,
      readFileSync(path.join(ROOT, file), 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    source.forEachChild(function visit(node) {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        found.set(node.name.text, { init: node.initializer, source });
      }
      node.forEachChild(visit);
    });
  }
  return found;
}

/** The fields of every object literal inside `init` (following named schemas), depth first. */
function fieldsOf(
  init: ts.Node,
  source: ts.SourceFile,
  prefix: string,
  declared: ReturnType<typeof declarations>,
  seen: Set<string>,
): Field[] {
  const fields: Field[] = [];
  const visit = (node: ts.Node, at: string): void => {
    if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
        const name = `${at}${property.name.text}`;
        // Defaults' object literals (`z._default(X, { … })`) are values, not fields.
        fields.push({ path: name, doc: docComment(property, source) });
        const list = /z\.array\(/.test(property.initializer.getText(source).split('(').slice(0, 3).join('('));
        visitSchema(property.initializer, `${name}${list ? '[]' : ''}.`);
      }
      return;
    }
    node.forEachChild((child) => visit(child, at));
  };
  const visitSchema = (node: ts.Node, at: string): void => {
    const walk = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && /^z\._default$/.test(n.expression.getText(source))) {
        const [schema] = n.arguments;
        if (schema) walk(schema);
        return;
      }
      if (ts.isObjectLiteralExpression(n)) {
        visit(n, at);
        return;
      }
      if (ts.isIdentifier(n) && /Schema$/.test(n.text) && !seen.has(`${at}${n.text}`)) {
        const target = declared.get(n.text);
        if (target) {
          seen.add(`${at}${n.text}`);
          fields.push(...fieldsOf(target.init, target.source, at, declared, seen));
        }
        return;
      }
      n.forEachChild(walk);
    };
    walk(node);
  };
  visitSchema(init, prefix);
  return fields;
}

/** The JSON Schema node at a field path (`rules[].match.type`). */
function schemaAt(root: JsonSchema, fieldPath: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const part of fieldPath.split('.')) {
    const name = part.replace(/\[\]$/, '');
    node = objectOf(node)?.properties?.[name];
    if (part.endsWith('[]')) node = listOf(node)?.items;
  }
  return node;
}

function objectOf(node: JsonSchema | undefined): JsonSchema | undefined {
  return node?.properties ? node : node?.anyOf?.find((n) => n.properties);
}

function listOf(node: JsonSchema | undefined): JsonSchema | undefined {
  return node?.items ? node : node?.anyOf?.find((n) => n.items);
}

/** A type in a few words: `auto \| approve`, `integer 1-10080`, `list of string`. */
function typeOf(node: JsonSchema | undefined): string {
  if (!node) return 'any';
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (node.anyOf) return [...new Set(node.anyOf.map(typeOf))].join(' or ');
  if (node.type === 'array') return `list of ${typeOf(node.items)}`;
  if (node.type === 'object') return node.properties ? 'object' : 'map';
  const range =
    node.minimum !== undefined || node.maximum !== undefined
      ? ` ${node.minimum ?? ''}–${node.maximum ?? ''}`
      : '';
  return `${Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? 'any')}${range}`;
}

/** The Markdown page. */
export function renderPolicyDocs(): string {
  const schema = policyJsonSchema() as JsonSchema;
  const declared = declarations();
  const policy = declared.get('PolicySchema');
  if (!policy) throw new Error('PolicySchema is not declared in shared/policy/schema.ts');
  const fields = fieldsOf(policy.init, policy.source, '', declared, new Set());
  // Only what a policy file can hold: object literals that are not fields (zod's error options,
  // refinement issues) have no place in the JSON Schema.
  const documented = fields.filter((f) => schemaAt(schema, f.path) !== undefined);
  const rows = documented.map((f) => {
    const node = schemaAt(schema, f.path);
    const fallback = node?.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
    return `| \`${f.path}\` | ${typeOf(node).replace(/\|/g, '\\|')} | ${fallback.replace(/\|/g, '\\|')} | ${f.doc.replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Policy reference',
    '',
    '<!-- Generated by `npx tsx docs/generate-policy-docs.ts` from shared/policy/; do not edit. -->',
    '',
    'Every field of a policy file (`policy/default.yaml` is a commented example). Editors can check',
    'a policy while it is typed with the JSON Schema `npx remediate policy schema` prints;',
    '`npx remediate policy check FILE` checks it with line numbers, and `npx remediate policy test`',
    'runs its cases. `[]` marks a list of objects.',
    '',
    '```bash',
    'npx remediate policy schema > /tmp/policy.schema.json',
    'npx remediate policy check policy/default.yaml',
    '```',
    '',
    '| field | type | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  writeFileSync(POLICY_DOCS, renderPolicyDocs());
}
