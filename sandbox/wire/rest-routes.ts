/**
 * The REST protocols' routing: each operation's `@http` trait (`["POST",
 * "/2015-03-31/functions/{FunctionName}/invocations", 200]`) read from the SDK's schema and
 * matched against a request's method and path, with the path's labels decoded. Smithy's
 * `@http` trait: https://smithy.io/2.0/spec/http-bindings.html#http-trait
 */

/** An operation's `@http` trait: method, URI pattern (with its static query, if any) and success code. */
export interface HttpTrait {
  readonly method: string;
  readonly uri: string;
  readonly code: number;
}

/** A request matched to an operation: its name and the path labels' decoded values. */
export interface RouteMatch {
  readonly operation: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface Route {
  readonly operation: string;
  readonly method: string;
  /** Literal segments as themselves; a label as `{ label, greedy }`. */
  readonly segments: readonly (string | { label: string; greedy: boolean })[];
  /** Query parameters the URI pattern fixes (`?List=ALL`, S3's `?policy`). */
  readonly staticQuery: readonly [string, string][];
  /** Literal characters: the most specific route wins when several match. */
  readonly weight: number;
}

/** The routes of every operation with an `@http` trait, by method. */
export class RestRoutes {
  private readonly byMethod = new Map<string, Route[]>();

  constructor(operations: Iterable<[string, HttpTrait]>) {
    for (const [operation, http] of operations) {
      const route = compile(operation, http);
      const routes = this.byMethod.get(route.method) ?? [];
      routes.push(route);
      this.byMethod.set(route.method, routes);
    }
    for (const routes of this.byMethod.values()) routes.sort((a, b) => b.weight - a.weight);
  }

  /** The operation the request names, or `undefined` when none of the model's routes match. */
  match(method: string, rawPath: string, query: URLSearchParams): RouteMatch | undefined {
    const parts = rawPath.split('/').slice(1);
    for (const route of this.byMethod.get(method) ?? []) {
      if (!route.staticQuery.every(([key, value]) => query.has(key) && (!value || query.get(key) === value)))
        continue;
      const labels = matchSegments(route.segments, parts);
      if (labels) return { operation: route.operation, labels };
    }
    return undefined;
  }
}

function compile(operation: string, http: HttpTrait): Route {
  const [path = '', queryText] = http.uri.split('?');
  const segments = path
    .split('/')
    .slice(1)
    .map((segment) => {
      const label = /^\{(\w+)(\+?)\}$/.exec(segment);
      return label ? { label: label[1] as string, greedy: label[2] === '+' } : segment;
    });
  const staticQuery = queryText
    ? queryText.split('&').map((pair): [string, string] => {
        const [key = '', value = ''] = pair.split('=');
        return [key, value];
      })
    : [];
  const weight = segments.reduce((sum, s) => sum + (typeof s === 'string' ? s.length + 1 : 0), 0);
  return { operation, method: http.method, segments, staticQuery, weight: weight + staticQuery.length };
}

function matchSegments(
  segments: Route['segments'],
  parts: readonly string[],
): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  // A trailing slash is not a segment of its own (`/2015-03-31/functions/`).
  const given = parts.length > 1 && parts.at(-1) === '' ? parts.slice(0, -1) : parts;
  let i = 0;
  for (const [index, segment] of segments.entries()) {
    if (typeof segment === 'string') {
      if (given[i++] !== segment) return undefined;
      continue;
    }
    if (segment.greedy) {
      // A greedy label takes every segment but those the pattern still needs after it.
      const rest = given.slice(i, given.length - (segments.length - index - 1));
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      labels[segment.label] = rest.map(decode).join('/');
      i += rest.length;
      continue;
    }
    const value = given[i++];
    if (value === undefined || value === '') return undefined;
    labels[segment.label] = decode(value);
  }
  return i === given.length ? labels : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
