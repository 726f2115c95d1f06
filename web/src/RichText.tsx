// Message text with its IRC formatting (bold, italic, colours …: see irc-format.ts) and
// http/https URLs as links. Colours are set through the DOM (CSSOM), which the page's CSP allows.
import { formatRuns, type Run } from './irc-format.ts';
import { linkify } from './text.ts';

export function RichText({ text, inert = false }: { text: string; inert?: boolean }) {
  return <>{formatRuns(text).map((run, i) => (isPlain(run) ? <Linked key={i} text={run.text} inert={inert} /> : <Styled key={i} run={run} inert={inert} />))}</>;
}

function isPlain(run: Run): boolean {
  return run.classes.length === 0 && run.fixed === undefined;
}

function Styled({ run, inert }: { run: Run; inert: boolean }) {
  const style = run.fixed ? { color: run.fixed.color, backgroundColor: run.fixed.background } : run.themed ? { '--c-light': run.themed.light, '--c-dark': run.themed.dark } : undefined;
  return (
    <span class={run.classes.join(' ') || undefined} style={style}>
      <Linked text={run.text} inert={inert} />
    </span>
  );
}

/** `inert`: links are left out of the tab order (the message log is one tab stop). */
function Linked({ text, inert }: { text: string; inert: boolean }) {
  return (
    <>
      {linkify(text).map((s, i) =>
        s.type === 'link' ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer" tabIndex={inert ? -1 : undefined}>
            {s.text}
          </a>
        ) : (
          s.text
        ),
      )}
    </>
  );
}
