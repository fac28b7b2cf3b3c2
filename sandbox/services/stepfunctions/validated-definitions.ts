import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The definitions known to pass the validation `aws-local-stepfunctions` runs (asl-validator),
 * remembered in this process and, across processes, as empty files named by a hash of the
 * definition text and of the validator's version. asl-validator compiles its JSON schemas on every
 * call (a quarter of a second each), and every sandbox deploys the same few dozen definitions:
 * each test file starts its own. Only valid definitions are recorded, so an invalid one is always
 * validated again, and refused; another validator version starts afresh.
 */
export class ValidatedDefinitions {
  private readonly known = new Set<string>();
  private readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, validatorVersion());
  }

  /** Whether `text` was validated before, here or by another process. */
  has(text: string): boolean {
    if (this.known.has(text)) return true;
    if (!existsSync(path.join(this.dir, digest(text)))) return false;
    this.known.add(text);
    return true;
  }

  /** Record that `text` passed validation. */
  add(text: string): void {
    this.known.add(text);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(path.join(this.dir, digest(text)), '');
    } catch (error) {
      // Not kept across processes (a read-only checkout): each process validates it once, as before.
      console.warn(`not recording a validated definition in ${this.dir}: ${(error as Error).message}`);
    }
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `aws-local-stepfunctions@<v>+asl-validator@<v>`: the code whose verdict is remembered. */
function validatorVersion(): string {
  const require = createRequire(import.meta.url);
  const engineMain = require.resolve('aws-local-stepfunctions');
  const version = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  const engine = version(path.resolve(path.dirname(engineMain), '../package.json'));
  const validator = version(createRequire(engineMain).resolve('asl-validator/package.json'));
  return `aws-local-stepfunctions@${engine}+asl-validator@${validator}`;
}
