// A nick in its own colour (readable in both themes); clicking it opens a private conversation.
import { hueColours } from './contrast.ts';
import { useLanguage } from './language.ts';
import { nickHue } from './text.ts';

interface Props {
  nick: string;
  onClick?: ((nick: string) => void) | undefined;
  /** Out of the tab order: in the message log, which is one tab stop. */
  inert?: boolean;
}

export function Nick({ nick, onClick, inert = false }: Props) {
  const colours = hueColours(nickHue(nick));
  const { t } = useLanguage();
  const style = { '--c-light': colours.light, '--c-dark': colours.dark };
  if (!onClick) {
    return (
      <span class="nick" style={style}>
        {nick}
      </span>
    );
  }
  return (
    <button type="button" class="nick" style={style} title={t('web.talkPrivately', { nick })} tabIndex={inert ? -1 : undefined} onClick={() => onClick(nick)}>
      {nick}
    </button>
  );
}
