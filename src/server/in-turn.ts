// Runs steps one after another, each waiting for the one before when it is asynchronous (a
// commit to a log a network away) — and synchronously, with no promise made, when none is
// (an in-process log): the single-node server pays nothing for the model.
export function inTurn<T>(items: readonly T[], step: (item: T, index: number) => void | Promise<void>, from = 0): void | Promise<void> {
  for (let i = from; i < items.length; i++) {
    const pending = step(items[i]!, i);
    if (pending instanceof Promise) return pending.then(() => inTurn(items, step, i + 1));
  }
}
