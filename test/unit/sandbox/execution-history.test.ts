import { describe, expect, it } from 'vitest';
import { ExecutionHistory } from '#sandbox/services/stepfunctions/history.ts';
import type { HistoryEvent } from '#sandbox/services/stepfunctions/types.ts';

/** A history with an execution's start, one state's entry and exit, and its success. */
function endedHistory(): { history: ExecutionHistory; notified: HistoryEvent[] } {
  const notified: HistoryEvent[] = [];
  const history = new ExecutionHistory((event) => notified.push(event));
  const input = JSON.stringify({ detail: { id: 'f-1', note: 'ü ✓ "quoted"' } });
  history.add('ExecutionStarted', { input, roleArn: 'arn:aws:iam::111122223333:role/r' }, new Date(1000));
  history.addLibraryEvent({
    type: 'StateEntered',
    timestamp: 2000,
    state: { name: 'Read', type: 'Task', input },
  });
  history.addTaskEvent('Read', 1, 'TaskScheduled', { resource: 'getItem', timeoutInSeconds: undefined });
  history.addLibraryEvent({
    type: 'StateExited',
    timestamp: 3000,
    state: { name: 'Read', type: 'Task', output: {} },
  });
  history.addLibraryEvent({ type: 'ExecutionSucceeded', timestamp: 4000, output: { ok: true } });
  return { history, notified };
}

describe("an ended execution's history", () => {
  it('reads back event for event, timestamps as dates, once compacted', () => {
    const { history } = endedHistory();
    const before = history.events.map((event) => ({ ...event }));
    history.compact();
    const after = history.events;
    expect(after).toEqual(before);
    expect(after.map((event) => event.timestamp)).toEqual(before.map((event) => event.timestamp));
    expect(after.every((event) => event.timestamp instanceof Date)).toBe(true);
  });

  it('numbers an event recorded after the end next to the last one', () => {
    const { history, notified } = endedHistory();
    history.compact();
    history.add('ExecutionAborted', { error: 'e' }, new Date(5000));
    const events = history.events;
    expect(events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionAborted', previousEventId: 5 });
    expect(notified).toHaveLength(6);
  });
});
