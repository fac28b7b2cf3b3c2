import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newestSourceTime } from '#sandbox/deploy/assembly.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Where the global setup keeps the single-account template: synthesizing the whole app (its Lambda
 * bundles and cdk-nag checks included) takes seconds of CPU, too much to repeat in every infra file.
 */
export const TEMPLATE_FILE = path.join(ROOT, 'cdk.out.test', 'AutoRemediation.template.json');

/** What a template depends on besides the sources: the shell's account and region (`buildApp` reads them). */
function shell(): string {
  return JSON.stringify([process.env.CDK_DEFAULT_ACCOUNT ?? null, process.env.CDK_DEFAULT_REGION ?? null]);
}

interface TemplateRecord {
  shell: string;
  template: Record<string, unknown>;
}

/**
 * Synthesize the app with the default context, as `Template.fromStack` gives it, into
 * {@link TEMPLATE_FILE} unless it is newer than every source and was made in this shell.
 * Called by the global setup, once per run, before any worker reads it.
 */
export async function synthesizeTestTemplate(): Promise<void> {
  if (existsSync(TEMPLATE_FILE) && statSync(TEMPLATE_FILE).mtimeMs > newestSourceTime(ROOT)) {
    const record = JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as TemplateRecord;
    if (record.shell === shell()) return;
  }
  // Imported only when needed: loading the app and CDK takes a while.
  const [{ App }, { Template }, { buildApp }] = await Promise.all([
    import('aws-cdk-lib'),
    import('aws-cdk-lib/assertions'),
    import('#infra/app.ts'),
  ]);
  const { stack } = buildApp(new App());
  const record: TemplateRecord = { shell: shell(), template: Template.fromStack(stack).toJSON() };
  mkdirSync(path.dirname(TEMPLATE_FILE), { recursive: true });
  // Renamed into place, so a reader never sees half a file.
  const partial = `${TEMPLATE_FILE}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(record));
  renameSync(partial, TEMPLATE_FILE);
}

/**
 * The template {@link synthesizeTestTemplate} wrote, as JSON: a fresh copy per call, so no test
 * file sees another's changes.
 */
export function testTemplateJson(): Record<string, unknown> {
  if (!existsSync(TEMPLATE_FILE))
    throw new Error(`${TEMPLATE_FILE} is missing: the global setup (test/global-setup.ts) writes it`);
  const record = JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as TemplateRecord;
  if (record.shell !== shell())
    throw new Error(
      `${TEMPLATE_FILE} was synthesized with another CDK_DEFAULT_ACCOUNT/REGION than this run's`,
    );
  return record.template;
}
