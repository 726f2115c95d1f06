// How long, for the admin panel: 42s, 5m 3s, 2h 10m, 3d 4h — two units at most, in the page's
// language (42 秒, 5 分 3 秒…).
import type { Translate } from '../../../src/i18n/i18n.ts';

export function formatDuration(seconds: number, t: Translate): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return t('web.admin.duration.seconds', { s });
  if (s < 3600) return t('web.admin.duration.minutes', { m: Math.floor(s / 60), s: s % 60 });
  if (s < 86400) return t('web.admin.duration.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('web.admin.duration.days', { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}
