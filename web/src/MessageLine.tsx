// One line: time, who, what. Messages and actions stand out; joins, parts and the like are quiet.
import type { ChatLine } from '../../src/clients/model.ts';
import { clock } from '../../src/clients/format.ts';
import { Nick } from './Nick.tsx';
import { RichText } from './RichText.tsx';

const QUIET = new Set(['join', 'part', 'quit', 'kick', 'nick', 'mode', 'topic', 'info']);

export function MessageLine({ line, onNick }: { line: ChatLine; onNick: (nick: string) => void }) {
  const from = line.from && !line.serverNotice ? line.from : undefined;
  const classes = ['line', `line-${line.kind}`, QUIET.has(line.kind) ? 'quiet' : '', line.self ? 'self' : '', line.mention ? 'mention' : ''];
  const clickable = from !== undefined && !line.self ? onNick : undefined;
  let body;
  switch (line.kind) {
    case 'message':
      body = (
        <>
          {from !== undefined && <Nick nick={from} onClick={clickable} />}
          <span class="text">
            <RichText text={line.text} />
          </span>
        </>
      );
      break;
    case 'action':
      body = (
        <span class="text">
          * {from !== undefined && <Nick nick={from} onClick={clickable} />} <RichText text={line.text} />
        </span>
      );
      break;
    case 'notice':
      body = (
        <>
          <span class="notice-from">-{line.from ?? 'server'}-</span>
          <span class="text">
            <RichText text={line.text} />
          </span>
        </>
      );
      break;
    default:
      body = (
        <span class="text">
          <RichText text={line.text} />
        </span>
      );
  }
  return (
    <li class={classes.filter(Boolean).join(' ')}>
      <time dateTime={line.time.toISOString()} title={line.time.toLocaleString()}>
        {clock(line.time)}
      </time>
      {body}
    </li>
  );
}
