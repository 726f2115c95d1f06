// A nick in its own colour; clicking it opens a private conversation.
import { nickHue } from './text.ts';

export function Nick({ nick, onClick }: { nick: string; onClick?: ((nick: string) => void) | undefined }) {
  const style = { '--nick-hue': String(nickHue(nick)) };
  if (!onClick) {
    return (
      <span class="nick" style={style}>
        {nick}
      </span>
    );
  }
  return (
    <button class="nick" style={style} title={`Talk privately with ${nick}`} onClick={() => onClick(nick)}>
      {nick}
    </button>
  );
}
