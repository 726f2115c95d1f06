// Where the browser tests find Debian's Chromium and the built web client, and why they skip.
import { existsSync } from 'node:fs';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const BUILT = existsSync(new URL('../../dist/web/index.html', import.meta.url));
/** A reason to skip the browser tests, or false when they can run. */
export const browserSkip: string | false = !CHROMIUM
  ? 'Chromium is not installed (apt-get install chromium)'
  : !BUILT
    ? 'the web client is not built (npm run build)'
    : false;
