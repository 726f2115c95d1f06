// Re-renders a component whenever the client's model changes (it is mutated in place).
import { useEffect, useState } from 'preact/hooks';
import type { WebClient } from './connection.ts';

export function useClient(client: WebClient): number {
  const [version, setVersion] = useState(client.model.version);
  useEffect(() => client.subscribe(() => setVersion(client.model.version)), [client]);
  return version;
}
