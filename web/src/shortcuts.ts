// Keys of the chat view: Alt+1…9 pick a conversation by its place in the list, Alt+↑/↓ the
// one above or below, Esc closes an open drawer (phone width).
import { useEffect, useRef } from 'preact/hooks';
import type { WebClient } from './connection.ts';

export function useShortcuts(client: WebClient, drawerOpen: boolean, closeDrawer: () => void): void {
  // Read when a key comes: the listener is added once per client, not again on every redraw
  // (closeDrawer is a new function each time).
  const drawer = useRef({ open: drawerOpen, close: closeDrawer });
  drawer.current = { open: drawerOpen, close: closeDrawer };
  useEffect(() => {
    const close = () => drawer.current.close();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && drawer.current.open) {
        e.preventDefault();
        close();
        return;
      }
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      // By e.code: with Alt, macOS types other characters (Alt+1 is "¡").
      const digit = /^Digit([1-9])$/.exec(e.code);
      if (digit) {
        e.preventDefault();
        client.selectNumber(Number(digit[1]));
        close();
      } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
        e.preventDefault();
        client.cycle(e.key === 'ArrowUp' ? -1 : 1);
        close();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [client]);
}
