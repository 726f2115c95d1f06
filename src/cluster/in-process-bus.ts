import type { Bus } from './bus.ts';

/** A single-node bus: publishing calls the subscribers directly. */
export class InProcessBus<E> implements Bus<E> {
  private handlers: ((event: E) => void)[] = [];

  constructor(readonly nodeId = 'n1') {}

  publish(event: E): void {
    for (const handler of this.handlers) handler(event);
  }

  subscribe(handler: (event: E) => void): () => void {
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  async close(): Promise<void> {
    this.handlers = [];
  }
}
