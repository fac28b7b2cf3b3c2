import { PLAYBOOK_NAME, type PlaybookCatalog, type PlaybookFacts } from './definition.ts';

/**
 * The facts of the named playbooks, read from `shared/playbooks/<name>.ts` by name: the file name
 * is the playbook's name, as a cdk-nag rule's id is its file name, so no second list exists to
 * forget a playbook in (`statemachines/registry.ts` is the one list). A bundler sees the import's
 * pattern and bundles every file of this folder (esbuild glob-style imports), so a Lambda function
 * knows every playbook without importing `statemachines/`. A name with no facts file, or one that
 * is not kebab-case, is left out: callers treat it as a playbook this product does not ship.
 */
export async function loadPlaybookCatalog(names: Iterable<string>): Promise<PlaybookCatalog> {
  const catalog = new Map<string, PlaybookFacts>();
  for (const name of new Set(names)) {
    if (!PLAYBOOK_NAME.test(name)) continue;
    const facts = await factsFile(name);
    if (facts?.name === name) catalog.set(name, facts);
  }
  return catalog;
}

async function factsFile(name: string): Promise<PlaybookFacts | undefined> {
  try {
    const module = (await import(`./${name}.ts`)) as { facts?: PlaybookFacts };
    return module.facts;
  } catch (error) {
    // Node says ERR_MODULE_NOT_FOUND; an esbuild bundle says "Module not found in bundle".
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || /not found in bundle/i.test(String((error as Error).message)))
      return undefined;
    throw error;
  }
}
