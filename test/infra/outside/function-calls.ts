import path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** One SDK call in a function's code. */
export interface CodeCall {
  /** The client package (`client-dynamodb`). */
  pkg: string;
  /** The API operation (`GetItem`). */
  operation: string;
  /** The product file that makes it (`shared/audit/chain.ts`). */
  file: string;
  /**
   * The name of what the request's target member (`TableName`, `TopicArn`, …) is read from, as
   * the code spells it (`deps.counterTable` gives `counterTable`), when it is a plain property.
   */
  target?: string;
}

/** Request members that name the resource a call acts on. */
const TARGET_MEMBERS =
  /^\s*\{[^}]*?\b(TableName|FunctionName|TopicArn|KeyId|SecretId|QueueUrl|stateMachineArn)\b(?::\s*([\w.]+))?/;

/**
 * Every SDK v3 call a function's bundle can make: the handler bundled as its Lambda construct
 * bundles it (esbuild, ESM, tree-shaken, but not minified so module boundaries and names stay
 * readable), then every `new XCommand(...)` in the product's own modules, with the client package
 * the command class comes from. Only code the bundle keeps counts: a module imported for a type
 * or a helper does not bring its other calls along. The product sends every call as a command
 * object (`client.send(new GetItemCommand(...))`); a call made another way would not be seen.
 */
export function callsOf(entry: string): CodeCall[] {
  const known = bundled.get(entry);
  if (known) return known;
  const bundle = buildSync({
    entryPoints: [path.join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: false,
    treeShaking: true,
    logLevel: 'silent',
  });
  const text = bundle.outputFiles[0]?.text ?? '';
  // esbuild heads each module of an unminified bundle with a `// <path>` comment.
  const modules = text.split(/\n(?=\/\/ \S+\.(?:ts|js|mjs|cjs|json)\n)/).map((m) => ({
    file: m.slice(3, m.indexOf('\n')),
    code: m,
  }));
  const packageOf = (command: string): string => {
    const found = modules
      .map((m) => new RegExp(`@aws-sdk/(client-[\\w-]+)/dist-es/commands/${command}\\.js$`).exec(m.file)?.[1])
      .filter((p) => p !== undefined);
    if (found.length !== 1)
      throw new Error(`${entry}: ${command} comes from ${found.length} client packages`);
    return found[0] as string;
  };
  const calls: CodeCall[] = [];
  for (const { file, code } of modules.filter((m) => /^(functions|shared)\//.test(m.file)))
    for (const match of code.matchAll(/new (\w+Command)\d*\(/g)) {
      const command = match[1] as string;
      const args = TARGET_MEMBERS.exec(code.slice((match.index ?? 0) + match[0].length));
      calls.push({
        pkg: packageOf(command),
        operation: command.replace(/Command$/, ''),
        file,
        // `{ stateMachineArn }`: the variable is named as the member.
        target: args ? (args[2] ?? args[1])?.split('.').pop() : undefined,
      });
    }
  bundled.set(entry, calls);
  return calls;
}

const bundled = new Map<string, CodeCall[]>();
