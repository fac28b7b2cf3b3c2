/**
 * Runtime gaps the sandbox's dependencies expect to be filled. Import this module before
 * `aws-local-stepfunctions`: its Task states call `Promise.withResolvers`, which Node 22 has and
 * Node 20 lacks. The polyfill follows the ES2024 specification and is skipped where the runtime
 * already has it.
 */

/** What `Promise.withResolvers` returns (ES2024), declared here because the project targets ES2023. */
export interface PromiseResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

declare global {
  interface PromiseConstructor {
    withResolvers<T>(): PromiseResolvers<T>;
  }
}

if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): PromiseResolvers<T> {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
