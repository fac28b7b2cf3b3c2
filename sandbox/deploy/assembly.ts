import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';

/** A CloudFormation template as synthesized. */
export interface Template {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }
  >;
  Outputs?: Record<string, { Value: unknown }>;
}

/** One stack of the cloud assembly: its name, template and the folder its assets live in. */
export interface AssemblyStack {
  stackName: string;
  template: Template;
  assemblyDir: string;
}

const SOURCE_DIRS = ['infra', 'functions', 'statemachines', 'shared', 'policy'];

/** Read the stacks of a synthesized cloud assembly (`cdk.out`). */
export function readAssembly(assemblyDir: string): AssemblyStack[] {
  const manifest = JSON.parse(readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string }; displayName?: string }>;
  };
  return Object.entries(manifest.artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([name, a]) => ({
      stackName: name,
      template: JSON.parse(
        readFileSync(path.join(assemblyDir, a.properties?.templateFile as string), 'utf8'),
      ),
      assemblyDir,
    }));
}

/**
 * The file, beside the manifest, that records the CDK context an assembly was synthesized with:
 * the same sources give another app under another context (a dry run, an organization).
 */
export const SYNTH_CONTEXT_FILE = 'synth-context.json';

/** The context as recorded: key order does not make two contexts differ. */
export function contextRecord(context: Record<string, unknown>): string {
  return canonicalize(context) ?? '{}';
}

/**
 * Whether the assembly is older than any source it was built from, or was built with another
 * context than `context` (or with one not recorded, e.g. by `cdk synth`), so the sandbox never
 * runs a stale build: what is tested is what `cdk deploy` would ship now, with these settings.
 */
export function isAssemblyStale(
  assemblyDir: string,
  root: string,
  context: Record<string, unknown> = {},
): boolean {
  const manifest = path.join(assemblyDir, 'manifest.json');
  if (!existsSync(manifest)) return true;
  const recorded = path.join(assemblyDir, SYNTH_CONTEXT_FILE);
  if (!existsSync(recorded) || readFileSync(recorded, 'utf8') !== contextRecord(context)) return true;
  return newestSourceTime(root) > statSync(manifest).mtimeMs;
}

/** When the newest source the app is built from (its code, policy and lock file) last changed, in ms. */
export function newestSourceTime(root: string): number {
  const newest = (dir: string): number => {
    if (!existsSync(dir)) return 0;
    let max = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      max = Math.max(max, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
    }
    return max;
  };
  return Math.max(
    ...SOURCE_DIRS.map((d) => newest(path.join(root, d))),
    statSync(path.join(root, 'package-lock.json')).mtimeMs,
  );
}
