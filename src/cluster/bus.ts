// The seam for events that cross sessions. Every change to shared state (users, nicks,
// channels) and every message between users is published here; each node applies what it
// receives to its replica of the network and delivers to its own sessions.
//
// Contract: publish() delivers to this node's subscribers synchronously, before it returns,
// so a handler can rely on its own change being applied; other nodes receive it later, in
// the order it was published.

export interface Bus<E> {
  /** Identifies this node; part of every user id it creates. */
  readonly nodeId: string;
  publish(event: E): void;
  subscribe(handler: (event: E) => void): () => void;
  close(): Promise<void>;
}
