import { AwsError } from './protocol.ts';

/** A fault to inject: make `operation` of `service` fail `times` times (or always) with `code`. */
export interface FaultSpec {
  /** Signing name, e.g. `iam`. */
  service: string;
  /** Operation name, e.g. `UpdateAccessKey`; `*` for every operation of the service. */
  operation: string;
  /** AWS error code, e.g. `Throttling`, `AccessDenied`, `ServiceUnavailable`; absent, the call only waits `latencyMs`, then succeeds. */
  code?: string;
  message?: string;
  /** HTTP status; defaults by code (throttling 400, AccessDenied 403, others 500). */
  status?: number;
  /** Only requests whose body contains this text, e.g. `playbook/` for a playbook's audit records. @default every request */
  bodyIncludes?: string;
  /** How many requests fail before the fault clears; `undefined` means always. */
  times?: number;
  /** Extra latency in milliseconds before answering (a failure, or the real answer when `code` is absent). */
  latencyMs?: number;
}

function defaultStatus(code: string): number {
  if (/Throttl|TooManyRequests|RequestLimitExceeded/i.test(code)) return 400;
  if (/AccessDenied|UnauthorizedOperation/i.test(code)) return 403;
  if (/ServiceUnavailable/i.test(code)) return 503;
  return 500;
}

/** The sandbox's fault table, consulted by the router before every request. */
export class FaultInjector {
  private faults: (FaultSpec & { remaining: number })[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    return this.faults.map(({ remaining, ...spec }) => ({
      ...spec,
      times: Number.isFinite(remaining) ? remaining : undefined,
    }));
  }

  /** Returns the error to answer with, if a fault applies to this request, and consumes one use of it. */
  async check(service: string, operation: string, body = ''): Promise<AwsError | undefined> {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        f.service === service &&
        (f.operation === '*' || f.operation === operation) &&
        (f.bodyIncludes === undefined || body.includes(f.bodyIncludes)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (!fault.code) return undefined;
    return new AwsError(
      fault.code,
      fault.message ?? `Injected fault on ${service}:${operation}`,
      fault.status ?? defaultStatus(fault.code),
    );
  }
}
