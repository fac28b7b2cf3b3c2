import { AwsError } from './protocol.ts';

/** A fault to inject: make `operation` of `service` fail `times` times (or always) with `code`. */
export interface FaultSpec {
  /** Signing name, e.g. `iam`. */
  service: string;
  /** Operation name, e.g. `UpdateAccessKey`; `*` for every operation of the service. */
  operation: string;
  /** AWS error code, e.g. `Throttling`, `AccessDenied`, `ServiceUnavailable`. */
  code: string;
  message?: string;
  /** HTTP status; defaults by code (throttling 400, AccessDenied 403, others 500). */
  status?: number;
  /** How many requests fail before the fault clears; `undefined` means always. */
  times?: number;
  /** Extra latency in milliseconds before answering (applies to failures only). */
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
  async check(service: string, operation: string): Promise<AwsError | undefined> {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && f.service === service && (f.operation === '*' || f.operation === operation),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    return new AwsError(
      fault.code,
      fault.message ?? `Injected fault on ${service}:${operation}`,
      fault.status ?? defaultStatus(fault.code),
    );
  }
}
