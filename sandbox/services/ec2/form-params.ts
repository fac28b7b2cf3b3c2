import { AwsError, type SandboxRequest } from '../../protocol.ts';

/**
 * The form-encoded parameters of an `ec2` or `query` protocol request, read the way those
 * protocols flatten structures: `Parent.Child`, lists as `Name.1`, `Name.2` (EC2) or
 * `Name.member.1` (query), and lists of structures as `Name.1.Field`.
 * Indexes start at 1 and may have gaps; they are read in numeric order.
 */
export class FormParams {
  private constructor(
    private readonly entries: ReadonlyMap<string, string>,
    private readonly prefix: string,
  ) {}

  /** The parameters of a request: the POST body, or the query string for a GET. */
  static fromRequest(req: SandboxRequest): FormParams {
    const source = req.body.length > 0 ? new URLSearchParams(req.body.toString('utf8')) : req.query;
    return FormParams.fromSearchParams(source);
  }

  /** Parameters from already-decoded pairs. */
  static fromSearchParams(source: URLSearchParams): FormParams {
    const entries = new Map<string, string>();
    for (const [key, value] of source) entries.set(key, value);
    return new FormParams(entries, '');
  }

  /** The value of `name`, if present. */
  string(name: string): string | undefined {
    return this.entries.get(this.prefix + name);
  }

  /** The value of `name`; throws `MissingParameter` (as AWS does) when absent or empty. */
  required(name: string, errorCode = 'MissingParameter'): string {
    const value = this.string(name);
    if (value === undefined || value === '') {
      throw new AwsError(errorCode, `The request must contain the parameter ${this.prefix}${name}`);
    }
    return value;
  }

  /** An integer parameter; throws `InvalidParameterValue` when it is not one. */
  int(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed)) {
      throw new AwsError('InvalidParameterValue', `Invalid value '${value}' for ${this.prefix}${name}`);
    }
    return parsed;
  }

  /** An integer parameter that must be present. */
  requiredInt(name: string, errorCode = 'MissingParameter'): number {
    return this.int(name) ?? Number(this.required(name, errorCode));
  }

  /** A boolean parameter (`true`/`false`, case-insensitive). */
  bool(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined || value === '') return undefined;
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw new AwsError('InvalidParameterValue', `Invalid value '${value}' for ${this.prefix}${name}`);
    }
    return lower === 'true';
  }

  /** True when any parameter starts with `name` (a structure or list was sent). */
  has(name: string): boolean {
    const full = this.prefix + name;
    for (const key of this.entries.keys()) {
      if (key === full || key.startsWith(`${full}.`)) return true;
    }
    return false;
  }

  /**
   * The raw entries under `name`, with `name.` removed from their keys: a launch template keeps
   * its `LaunchTemplateData.*` this way, and they read back as RunInstances parameters.
   */
  entriesUnder(name: string): Map<string, string> {
    const head = `${this.prefix}${name}.`;
    const found = new Map<string, string>();
    for (const [key, value] of this.entries)
      if (key.startsWith(head)) found.set(key.slice(head.length), value);
    return found;
  }

  /** These parameters over `defaults`: a parameter given here wins over the same one in `defaults`. */
  over(defaults: ReadonlyMap<string, string>): FormParams {
    const merged = new Map<string, string>();
    for (const [key, value] of defaults) merged.set(this.prefix + key, value);
    for (const [key, value] of this.entries) merged.set(key, value);
    return new FormParams(merged, this.prefix);
  }

  /** The parameters of the nested structure `name`, addressed relative to it. */
  struct(name: string): FormParams {
    return new FormParams(this.entries, `${this.prefix}${name}.`);
  }

  /** The values of the scalar list `name` (`name.1`, `name.2`, ...). */
  list(name: string): string[] {
    return this.indexes(name).flatMap((index) => {
      const value = this.string(`${name}.${index}`);
      return value === undefined ? [] : [value];
    });
  }

  /** The structures of the list `name` (`name.1.Field`, `name.2.Field`, ...). */
  structs(name: string): FormParams[] {
    return this.indexes(name).map((index) => this.struct(`${name}.${index}`));
  }

  /** The numeric indexes present directly under `name`, ascending. */
  private indexes(name: string): number[] {
    const head = `${this.prefix}${name}.`;
    const found = new Set<number>();
    for (const key of this.entries.keys()) {
      if (!key.startsWith(head)) continue;
      const match = /^(\d+)(?:\.|$)/.exec(key.slice(head.length));
      if (match?.[1]) found.add(Number(match[1]));
    }
    return [...found].sort((a, b) => a - b);
  }
}
