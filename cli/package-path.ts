import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A path inside this package, shown relative to the working directory (`policy/default.yaml` from the root). */
export function packagePath(path: string): string {
  return relative(process.cwd(), fileURLToPath(new URL(`../${path}`, import.meta.url))) || '.';
}
