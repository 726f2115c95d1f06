// The right column of a room: its members, operators first, with their @ and + marks and
// the colour of their nick; away members dim.
import { Box, Text } from 'ink';
import { ENGLISH, type Translate } from '../../i18n/i18n.ts';
import type { Member } from '../model.ts';
import { nickColour } from './nick-colour.ts';
import { displayWidth, fit, truncate } from './text-layout.ts';

export interface MemberListProps {
  /** Already sorted (ChatModel.sortedMembers). */
  members: readonly Member[];
  width: number;
  height: number;
  t?: Translate;
  /** Whether a nick is a bot's (ChatModel.bots): marked after the nick when there is room. */
  isBot?: (nick: string) => boolean;
}

const PREFIX_COLOURS: Record<string, string> = { '~': 'red', '&': 'red', '@': 'green', '%': 'cyan', '+': 'yellow' };

export function MemberList({ members, width, height, t = ENGLISH.t, isBot }: MemberListProps) {
  const header = fit(t('terminal.members', { count: members.length }), width);
  const room = height - 1;
  const overflow = members.length > room;
  const shown = overflow ? members.slice(0, Math.max(0, room - 1)) : members;
  const blank = Math.max(0, room - shown.length - (overflow ? 1 : 0));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end">
        {header}
      </Text>
      {shown.map((m) => {
        const mark = m.prefixes.slice(0, 1) || ' ';
        // A bot's marker after its nick, when the column has room for it and a few letters.
        const botText = isBot?.(m.nick) ? ` ${t('client.line.botMark')}` : '';
        const bot = botText !== '' && width - 1 - displayWidth(botText) >= 4 ? botText : '';
        const nickWidth = width - 1 - displayWidth(bot);
        const nick = truncate(m.nick, nickWidth);
        return (
          <Text key={m.nick} wrap="truncate-end" dimColor={m.away === true}>
            <Text color={PREFIX_COLOURS[mark]} bold>
              {mark}
            </Text>
            <Text color={nickColour(m.nick)}>{bot === '' ? fit(nick, nickWidth) : nick}</Text>
            {bot === '' ? null : <Text dimColor>{fit(bot, width - 1 - displayWidth(nick))}</Text>}
          </Text>
        );
      })}
      {overflow ? <Text dimColor>{fit(t('terminal.moreMembers', { count: members.length - shown.length }), width)}</Text> : null}
      {blank > 0 ? <Text>{Array.from({ length: blank }, () => ' '.repeat(width)).join('\n')}</Text> : null}
    </Box>
  );
}
