import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIRS = [path.join(ROOT, 'test/fixtures/events'), path.join(ROOT, 'examples/events')];

/** Every fixture event we have: our own and the public samples (when present beside the repo). */
export const FIXTURES: unknown[] = DIRS.flatMap((dir) => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
  } catch {
    return []; // the public samples live outside the repository and may be absent
  }
});

/** Strings an attacker would put in an identifier. */
export const INJECTIONS = [
  '"; DROP TABLE audit; --',
  '../../etc/passwd',
  'arn:aws:iam::*:user/*',
  '*',
  'alice\nAKIAIOSFODNN7EXAMPLE',
  'AKIAIOSFODNN7EXAMPLE\u0000',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '\u202eAKIA',
  'i-0123456789abcdef0 OR 1=1',
  '𝔞𝔩𝔦𝔠𝔢',
  ' AKIAIOSFODNN7EXAMPLE ',
];

type Json = unknown;
type Path = (string | number)[];

function paths(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, Json>)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

function setAt(root: Json, p: Path, value: Json | typeof DROP): Json {
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const key of p.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = p.at(-1) as string | number;
  if (value === DROP) delete node[last];
  else node[last] = value;
  return copy;
}

const DROP = Symbol('drop');

/** A replacement value for a field: another type, an injection, huge, deep, unicode, or gone. */
const replacement: fc.Arbitrary<Json | typeof DROP> = fc.oneof(
  fc.constant(DROP),
  fc.constantFrom(...INJECTIONS),
  fc.constantFrom(null, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, true, [], {}, ''),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.constant('x'.repeat(256 * 1024)),
  fc.nat({ max: 200 }).map((depth) => {
    let v: Json = 'bottom';
    for (let i = 0; i < depth; i++) v = { nested: v };
    return v;
  }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A fixture with 1–4 of its fields (at any depth) replaced or removed. */
export const hostileEvent: fc.Arbitrary<Json> = fc.constantFrom(...FIXTURES).chain((base) => {
  const all = paths(base);
  if (all.length === 0) return fc.constant(base);
  return fc
    .array(fc.tuple(fc.constantFrom(...all), replacement), { minLength: 1, maxLength: 4 })
    .map((edits) =>
      edits.reduce<Json>((event, [p, v]) => {
        try {
          return setAt(event, p, v);
        } catch {
          return event; // an earlier edit removed the parent: this edit no longer applies
        }
      }, base),
    );
});
