// A small typed event emitter (on/once/off/emit), so that the client core runs in the browser
// too, where node:events is not available.
type Listener<Args extends unknown[]> = (...args: Args) => void;
/** Any listener: every function type is assignable to this one. */
type AnyListener = (...args: never) => void;

export class Emitter<Events extends { [name: string]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<AnyListener>>();

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    const wrapper = (...args: Events[E]): void => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  protected emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    // A copy: a listener may remove itself (once) while the event goes round.
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as unknown as Listener<Events[E]>)(...args);
  }
}
