// The top row: the room and its topic, who a query is with, or the connection's state.
import { Text } from 'ink';
import type { ChatBuffer, ConnectionStatus } from '../model.ts';
import { plainText } from '../format.ts';
import { fit } from './text-layout.ts';

export interface TopicBarProps {
  buffer: ChatBuffer;
  status: ConnectionStatus;
  nick: string;
  width: number;
}

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  disconnected: 'disconnected, reconnecting…',
  connecting: 'connecting…',
  registering: 'logging in…',
  registered: 'connected',
  quitting: 'quitting…',
  closed: 'closed',
};

export function topicText({ buffer, status, nick }: Omit<TopicBarProps, 'width'>): string {
  if (buffer.kind === 'room') {
    const people = buffer.joined ? `[${buffer.members.size}] ` : '[not in the room] ';
    return `${buffer.name} ${people}${buffer.topic ? plainText(buffer.topic) : '(no topic)'}`;
  }
  if (buffer.kind === 'query') return `${buffer.name} — private conversation`;
  return `${buffer.name} — ${STATUS_TEXT[status]} as ${nick}`;
}

export function TopicBar(props: TopicBarProps) {
  const down = props.status !== 'registered';
  return (
    <Text wrap="truncate-end" backgroundColor={down ? 'red' : 'blue'} color="white" bold>
      {fit(` ${topicText(props)}`, props.width)}
    </Text>
  );
}
