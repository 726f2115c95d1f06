// The top row: the room and its topic, who a query is with, or the connection's state.
import { Text } from 'ink';
import { ENGLISH, type MessageKey, type Translate } from '../../i18n/i18n.ts';
import type { ChatBuffer, ConnectionStatus } from '../model.ts';
import { plainText } from '../format.ts';
import { fit } from './text-layout.ts';

export interface TopicBarProps {
  buffer: ChatBuffer;
  status: ConnectionStatus;
  nick: string;
  width: number;
  t?: Translate;
}

const STATUS_TEXT: Record<ConnectionStatus, MessageKey> = {
  disconnected: 'terminal.status.disconnected',
  connecting: 'terminal.status.connecting',
  registering: 'terminal.status.registering',
  registered: 'terminal.status.registered',
  quitting: 'terminal.status.quitting',
  closed: 'terminal.status.closed',
};

export function topicText({ buffer, status, nick, t = ENGLISH.t }: Omit<TopicBarProps, 'width'>): string {
  if (buffer.kind === 'room') {
    const values = { room: buffer.name, count: buffer.members.size, topic: plainText(buffer.topic) };
    if (buffer.joined) return t(buffer.topic ? 'terminal.roomBar' : 'terminal.roomBarNoTopic', values);
    return t(buffer.topic ? 'terminal.roomBarNotIn' : 'terminal.roomBarNotInNoTopic', values);
  }
  if (buffer.kind === 'query') {
    const presence = buffer.presence;
    return presence === undefined ? t('terminal.queryBar', { nick: buffer.name }) : t('terminal.queryBarPresence', { nick: buffer.name, presence: t(`client.presence.${presence}`) });
  }
  return t('terminal.serverBar', { server: buffer.name, status: t(STATUS_TEXT[status]), nick });
}

export function TopicBar(props: TopicBarProps) {
  const down = props.status !== 'registered';
  return (
    <Text wrap="truncate-end" backgroundColor={down ? 'red' : 'blue'} color="white" bold>
      {fit(` ${topicText(props)}`, props.width)}
    </Text>
  );
}
