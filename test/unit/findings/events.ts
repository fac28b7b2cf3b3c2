import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { InvalidFindingError } from '#shared/errors.ts';
import type { Finding } from '#shared/findings/finding.ts';
import type { NormalizeResult } from '#shared/findings/normalize.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
/** Real events published in public repositories (read-only, see PROVENANCE.md there). */
export const PUBLIC_EVENTS_DIR = path.join(REPO_ROOT, 'examples/events');
const OUR_EVENTS_DIR = path.join(REPO_ROOT, 'test/fixtures/events');

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely by tests to build variants.
type Json = any;

/** One of our fixture events, parsed fresh so a test may modify it. */
export function ourEvent(name: string): Json {
  return JSON.parse(readFileSync(path.join(OUR_EVENTS_DIR, name), 'utf8'));
}

/** One of the public sample events, parsed fresh. */
export function publicEvent(name: string): Json {
  return JSON.parse(readFileSync(path.join(PUBLIC_EVENTS_DIR, name), 'utf8'));
}

/** The findings of a successful result; fails the test, with the reason, otherwise. */
export function findingsOf(result: NormalizeResult): Finding[] {
  if (!result.ok) expect.fail(`expected findings, got rejection: ${result.error.message}`);
  return result.findings;
}

/** The only finding of a successful result. */
export function onlyFindingOf(result: NormalizeResult): Finding {
  const findings = findingsOf(result);
  expect(findings).toHaveLength(1);
  return findings[0] as Finding;
}

/** The error of a rejection; fails the test otherwise. */
export function rejectionOf(result: NormalizeResult): InvalidFindingError {
  if (result.ok) expect.fail(`expected a rejection, got ${result.findings.length} finding(s)`);
  return result.error;
}
