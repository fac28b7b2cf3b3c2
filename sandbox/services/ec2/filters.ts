import type { Filter } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { tokenPage } from '../../wire/pagination.ts';
import type { Ec2State } from './state.ts';

/** One `Filter.N` of a Describe request: a name and the values any of which may match. */
export interface Ec2Filter {
  readonly name: string;
  readonly values: readonly string[];
}

/** A filterable field: the value(s) a resource has for one filter name. */
export type FilterField<T> = (
  resource: T,
) => string | number | boolean | undefined | readonly (string | undefined)[];

/** The filter names a Describe operation supports, beyond its tag filters. */
export type FilterFields<T> = Readonly<Record<string, FilterField<T>>>;

/** The tag filters an operation may document: `tag:<key>`, `tag-key`, `tag-value`. */
export type TagFilter = 'tag:' | 'tag-key' | 'tag-value';

/** Every tag filter: the default for operations the playbooks do not call. */
export const ALL_TAG_FILTERS: readonly TagFilter[] = ['tag:', 'tag-key', 'tag-value'];

/** The request's `Filters` (`Filter.N.Name` / `Filter.N.Value.M` on the wire). */
export function readFilters(input: { Filters?: Filter[] }): Ec2Filter[] {
  return (input.Filters ?? []).map((filter, i) => {
    if (filter.Name === undefined)
      throw new AwsError('MissingParameter', `The request must contain the parameter Filter.${i + 1}.Name`);
    return { name: filter.Name, values: filter.Values ?? [] };
  });
}

/** EC2 filter values take `*` (any run) and `?` (any one character) wildcards. */
function wildcardMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

function refuse(name: string): never {
  throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
}

function valuesFor<T>(
  state: Ec2State,
  resource: T,
  id: string,
  name: string,
  fields: FilterFields<T>,
  tagFilters: readonly TagFilter[],
): string[] {
  const tagFilter: TagFilter | undefined = name.startsWith('tag:')
    ? 'tag:'
    : name === 'tag-key' || name === 'tag-value'
      ? name
      : undefined;
  if (tagFilter && !tagFilters.includes(tagFilter)) refuse(name);
  if (name.startsWith('tag:')) {
    const value = state.tag(id, name.slice(4));
    return value === undefined ? [] : [value];
  }
  if (name === 'tag-key') return [...(state.tags.get(id)?.keys() ?? [])];
  if (name === 'tag-value') return [...(state.tags.get(id)?.values() ?? [])];
  const field = fields[name];
  if (!field) refuse(name);
  const raw = field(resource);
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((v): v is string | number | boolean => v !== undefined).map(String);
}

/**
 * The resources matching every filter (AND across filters, OR across a filter's values),
 * as EC2 evaluates them. A filter name the operation does not document (`fields` and
 * `tagFilters` list those) is refused with `InvalidParameterValue`, even when no resource
 * exists to match it: a request EC2 would refuse never passes here.
 */
export function applyFilters<T>(
  state: Ec2State,
  resources: Iterable<T>,
  idOf: (resource: T) => string,
  filters: readonly Ec2Filter[],
  fields: FilterFields<T>,
  tagFilters: readonly TagFilter[] = ALL_TAG_FILTERS,
): T[] {
  for (const { name } of filters) {
    const tagFilter = name.startsWith('tag:') ? 'tag:' : name;
    if (!(name in fields) && !tagFilters.includes(tagFilter as TagFilter)) refuse(name);
  }
  return [...resources].filter((resource) =>
    filters.every((filter) => {
      const actual = valuesFor(state, resource, idOf(resource), filter.name, fields, tagFilters);
      return filter.values.some((pattern) => actual.some((value) => wildcardMatches(pattern, value)));
    }),
  );
}

/** One page of results and the token for the next, as the Describe operations return them. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * Cut a page out of `items` by the request's `MaxResults` and `NextToken`; the token is an opaque
 * offset, and one the service did not issue is refused with `InvalidPaginationToken`.
 */
export function paginate<T>(
  items: readonly T[],
  input: { MaxResults?: number; NextToken?: string },
): Page<T> {
  return tokenPage(items, {
    token: input.NextToken,
    max: input.MaxResults,
    invalidTokenCode: 'InvalidPaginationToken',
  });
}
