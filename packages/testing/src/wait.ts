/**
 * Waits for `probe` to return a value, checking now and each time `listeners` are called (new
 * output, a new message). A probe that throws rejects the wait; so does running out of time.
 */
export function waitUntil<T>(
  listeners: Set<() => void>,
  probe: () => T | undefined,
  timeoutMs: number,
  timeoutMessage: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const check = () => {
      try {
        const value = probe();
        if (value === undefined) return;
        done();
        resolve(value);
      } catch (error) {
        done();
        reject(error);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(timeoutMessage()));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      listeners.delete(check);
    };
    listeners.add(check);
    check();
  });
}
