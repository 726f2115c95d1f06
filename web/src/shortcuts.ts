// Keys of the chat view: Alt+1…9 pick a conversation by its place in the list, Alt+↑/↓ the
// one above or below, Esc closes an open drawer (phone width).
import { useEffect } from 'preact/hooks';
import type { WebClient } from './connection.ts';

export function useShortcuts(client: WebClient, drawerOpen: boolean, closeDrawer: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && drawerOpen) {
        e.preventDefault();
        closeDrawer();
        return;
      }
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      // By e.code: with Alt, macOS types other characters (Alt+1 is "¡").
      const digit = /^Digit([1-9])$/.exec(e.code);
      if (digit) {
        e.preventDefault();
        client.selectNumber(Number(digit[1]));
        closeDrawer();
      } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
        e.preventDefault();
        client.cycle(e.key === 'ArrowUp' ? -1 : 1);
        closeDrawer();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [client, drawerOpen, closeDrawer]);
}
