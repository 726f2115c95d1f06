// A server a test started must not outlive the test process: its cleanup runs on exit, and on
// the signals that end a process without 'exit' (a timeout's SIGTERM, Ctrl-C), after which the
// process dies of that signal as asked. Returns the function that cancels it (server stopped).
const EXIT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function cleanupOnExit(cleanup: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    cancel();
    cleanup();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const cancel = (): void => {
    process.off('exit', cleanup);
    for (const name of EXIT_SIGNALS) process.off(name, onSignal);
  };
  process.on('exit', cleanup);
  for (const name of EXIT_SIGNALS) process.on(name, onSignal);
  return cancel;
}
