import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type * as z from 'zod/mini';
import { PolicyError } from '#shared/errors.ts';

/** A path into a parsed document, as zod reports it: keys and list indexes. */
export type DocumentPath = readonly PropertyKey[];

/** A YAML document with positions, able to say where a path is. */
export interface YamlSource {
  /** The file name errors are reported against. */
  readonly fileName: string;
  /**
   * `file:line:col` of the deepest node on `path` that exists in the document: the value, or
   * with `atKey` the key naming it.
   */
  locate(path: DocumentPath, atKey?: boolean): string;
}

/** `rules[2].mode` for `['rules', 2, 'mode']`; `(document)` for the root. */
export function formatPath(path: DocumentPath): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : `${text === '' ? '' : '.'}${String(segment)}`;
  }
  return text === '' ? '(document)' : text;
}

/**
 * Parse `text` as YAML and validate it with `schema`. Every problem, YAML syntax or schema,
 * becomes one line `file:line:col path: message` of the thrown {@link PolicyError}.
 */
export function parseYamlWithSchema<T extends z.ZodMiniType>(
  text: string,
  fileName: string,
  schema: T,
): { value: z.output<T>; source: YamlSource } {
  // A fresh counter per document: LineCounter accumulates the newlines of everything it has seen.
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const position = error.linePos?.[0];
      const where = position ? `${fileName}:${position.line}:${position.col}` : fileName;
      // The yaml package appends " at line L, column C:" and a code excerpt; the position is already in front.
      const message = (error.message.split('\n')[0] ?? error.message).replace(
        / at line \d+, column \d+:?$/,
        '',
      );
      return `${where} ${message}`;
    });
    throw new PolicyError(problems.join('\n'));
  }
  const source: YamlSource = {
    fileName,
    locate(path, atKey = false) {
      const offset = nodeAt(document.contents, path, atKey)?.range?.[0];
      if (offset === undefined) return fileName;
      const { line, col } = lineCounter.linePos(offset);
      return `${fileName}:${line}:${col}`;
    },
  };
  const result = schema.safeParse(plainValue(document, source, lineCounter));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      // An unknown key is reported on its parent object; point at the key itself.
      const unknownKey = issue.code === 'unrecognized_keys';
      const path = unknownKey ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path;
      return `${source.locate(path, unknownKey)} ${formatPath(path)}: ${describeIssue(issue)}`;
    });
    throw new PolicyError(problems.join('\n'));
  }
  return { value: result.data, source };
}

/**
 * How many times aliases may be expanded while reading a document. Far more than a policy
 * written by hand uses, far fewer than an alias bomb (a few lines whose aliases expand into
 * billions of nodes); the yaml package counts and stops, and we say where.
 * https://eemeli.org/yaml/#tojs-options (`maxAliasCount`)
 */
const MAX_ALIAS_COUNT = 100;

/** The document as plain data; an alias bomb is a {@link PolicyError} naming the first alias. */
function plainValue(document: Document, source: YamlSource, lineCounter: LineCounter): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml package signals too many expansions with a ReferenceError and no position.
    if (!(error instanceof ReferenceError)) throw error;
    let where = source.fileName;
    visit(document, {
      Alias(_key, node) {
        const offset = node.range?.[0];
        if (offset !== undefined) {
          const { line, col } = lineCounter.linePos(offset);
          where = `${source.fileName}:${line}:${col}`;
        }
        return visit.BREAK;
      },
    });
    throw new PolicyError(
      `${where} aliases (*name) expand into more than ${MAX_ALIAS_COUNT} copies: refused as a resource exhaustion attack (write the values out instead)`,
      { cause: error },
    );
  }
}

/** The deepest node along `path`: a missing key points at its parent, an empty value at its key. */
function nodeAt(root: unknown, path: DocumentPath, atKey: boolean): Node | undefined {
  let current = root as Node | null | undefined;
  for (const [index, segment] of path.entries()) {
    if (isMap(current)) {
      const pair = current.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (!pair) return current;
      const last = index === path.length - 1;
      if (pair.value === null || pair.value === undefined || (last && atKey)) return pair.key as Node;
      current = pair.value as Node;
    } else if (isSeq(current) && typeof segment === 'number') {
      const item = current.items[segment];
      if (item === undefined || item === null) return current;
      current = item as Node;
    } else {
      return current ?? undefined;
    }
  }
  return current ?? undefined;
}

/** zod's default messages are written for developers; these read better next to a YAML line. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field "${issue.keys.join('", "')}"`;
  // Messages the schemas set themselves are already written for the reader.
  if (!issue.message.startsWith('Invalid')) return issue.message;
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map(String).join('|')}`;
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  return issue.message;
}
