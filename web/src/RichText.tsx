// Message text with IRC formatting removed and http/https URLs as links.
import { plainText } from '../../src/clients/format.ts';
import { linkify } from './text.ts';

export function RichText({ text }: { text: string }) {
  return (
    <>
      {linkify(plainText(text)).map((s, i) =>
        s.type === 'link' ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer">
            {s.text}
          </a>
        ) : (
          s.text
        ),
      )}
    </>
  );
}
