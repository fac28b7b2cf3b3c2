/**
 * Context keys that look like one of `known` but are not: `dryrun`, `notificationEmal`, `region`.
 * CDK ignores context nobody reads, so a misspelled setting would silently keep its default (a
 * live deployment where a dry run was asked for). Keys in CDK's own namespaces (`@aws-cdk/…`,
 * `aws:cdk:…`) and keys far from every known one are left alone: they are not ours to judge.
 */
export function misspelledKeys(
  context: Record<string, unknown>,
  known: readonly string[],
): { key: string; meant: string }[] {
  const found: { key: string; meant: string }[] = [];
  for (const key of Object.keys(context)) {
    if (known.includes(key) || /[:/@]/.test(key)) continue;
    const nearest = known
      .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
      .sort((a, b) => a.distance - b.distance)[0];
    if (nearest && nearest.distance <= Math.max(2, Math.floor(nearest.candidate.length / 3)))
      found.push({ key, meant: nearest.candidate });
  }
  return found;
}

/**
 * Levenshtein distance (insertions, deletions, substitutions). Written here: a dozen lines over
 * keys of a few characters do not warrant a dependency.
 */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
