import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventsScope } from './model.ts';

/** One PutEvents entry, as the wire carries it. `Time` is epoch seconds on the wire. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number | string | Date;
  EventBusName?: string;
  TraceHeader?: string;
}

/** An entry EventBridge accepted, ready to be routed. */
export interface AcceptedEntry {
  ok: true;
  envelope: EventEnvelope;
  /** The bus named by the entry (name or ARN), `default` when absent. */
  eventBusName: string;
}

/** An entry EventBridge refused, with the per-entry error PutEvents reports. */
export interface RejectedEntry {
  ok: false;
  errorCode: string;
  errorMessage: string;
}

/** AWS writes event times as ISO 8601 in UTC with second precision: `2015-11-11T21:29:54Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function required(field: 'Source' | 'DetailType' | 'Detail'): RejectedEntry {
  return {
    ok: false,
    errorCode: 'InvalidArgument',
    errorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
  };
}

const MALFORMED_DETAIL: RejectedEntry = {
  ok: false,
  errorCode: 'MalformedDetail',
  errorMessage: 'Detail is malformed.',
};

function parseDetail(text: string): Record<string, unknown> | undefined {
  let detail: unknown;
  try {
    detail = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  // EventBridge requires Detail to be a JSON object, not any JSON value.
  return typeof detail === 'object' && detail !== null && !Array.isArray(detail)
    ? (detail as Record<string, unknown>)
    : undefined;
}

function eventTime(time: PutEventsEntry['Time'], now: Date): Date {
  if (time === undefined || time === null) return now;
  const date = typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return Number.isNaN(date.getTime()) ? now : date;
}

/**
 * Validate one PutEvents entry the way EventBridge does (Source, DetailType and Detail are
 * required, in that order; Detail must be a JSON object) and build the event envelope.
 */
export function acceptEntry(
  entry: PutEventsEntry,
  scope: EventsScope,
  now: Date,
): AcceptedEntry | RejectedEntry {
  if (!entry.Source) return required('Source');
  if (!entry.DetailType) return required('DetailType');
  if (!entry.Detail) return required('Detail');
  const detail = parseDetail(entry.Detail);
  if (!detail) return MALFORMED_DETAIL;
  return {
    ok: true,
    eventBusName: entry.EventBusName || 'default',
    envelope: {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: scope.accountId,
      time: isoSeconds(eventTime(entry.Time, now)),
      region: scope.region,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      detail,
    },
  };
}
