// Where the browser tests find Debian's Chromium and the built web client, and why they skip;
// and the fixture they share: a Parlor with its web port, one Chromium, a folder for screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { ConfigInput } from '../../src/server/config.ts';
import type { ParlorServer, ServerDeps } from '../../src/server/server.ts';
import { startServer, type TestServer } from './server.ts';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const BUILT = existsSync(new URL('../../dist/web/index.html', import.meta.url));
/** A reason to skip the browser tests, or false when they can run. */
export const browserSkip: string | false = !CHROMIUM
  ? 'Chromium is not installed (apt-get install chromium)'
  : !BUILT
    ? 'the web client is not built (npm run build)'
    : false;

/** Where screenshots and other things worth a look after a run go. */
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

/** The web client's address on a test server's web port. */
export function webUrl(t: TestServer, scheme: 'http' | 'https' = 'http'): string {
  return `${scheme}://127.0.0.1:${t.server.webAddress!.port}/`;
}

function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', ...extraArgs] });
}

/** One Chromium for a test file, launched before its tests and closed after (nothing when skipped). */
export function chromiumFixture(extraArgs: string[] = []): { readonly browser: Browser } {
  let browser: Browser | undefined;
  before(async () => {
    if (browserSkip) return;
    browser = await launchChromium(extraArgs);
  });
  after(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      return started(browser);
    },
  };
}

export interface BrowserFixture {
  /** The test server (register IRC clients on it). */
  readonly server: TestServer;
  /** The Parlor itself: its admin, network, audit log. */
  readonly parlor: ParlorServer;
  /** The web client's address, ending in '/'. */
  readonly url: string;
  readonly browser: Browser;
  /** test-artifacts/, made sure to exist. */
  readonly artifacts: string;
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

export interface BrowserFixtureOptions {
  /** The server's clock and the like. */
  deps?: Omit<ServerDeps, 'config'>;
  /** Serve the web port over TLS (the config's tls.web): the url is then https://. */
  https?: boolean;
}

/**
 * Before the file's tests: a Parlor with its web port on (plus `config`, given as a function when
 * it is only known in an earlier before hook), then Chromium. After them: both closed.
 */
export function browserFixture(config: ConfigInput | (() => ConfigInput | Promise<ConfigInput>) = {}, options: BrowserFixtureOptions = {}): BrowserFixture {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    if (browserSkip) return;
    const input = typeof config === 'function' ? await config() : config;
    server = await startServer({ ...input, web: { enabled: true, port: 0, ...input.web } }, options.deps);
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      return started(server);
    },
    get parlor() {
      return started(server).server;
    },
    get url() {
      return webUrl(started(server), options.https ? 'https' : 'http');
    },
    get browser() {
      return started(browser);
    },
    artifacts: ARTIFACTS,
    newPage(pageOptions) {
      return started(browser).newPage(pageOptions);
    },
  };
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the browser fixture is used before its before hook ran (or the browser tests are skipped)');
  return value;
}

/** What page functions look at in the page (the tests are compiled without the DOM types). */
export interface PageElement {
  textContent: string | null;
  value?: string;
  getAttribute(name: string): string | null;
}
export interface PageGlobals {
  document: {
    title: string;
    documentElement: { dataset: Record<string, string | undefined> };
    activeElement: PageElement | null;
    querySelector(selector: string): PageElement | null;
  };
}

/**
 * Waits until `check(arg)` holds in the page (`arg` is how a value gets there). Always a function, never a string: Playwright
 * evaluates a string again at each poll with eval, which the page's CSP refuses, so a string
 * that does not hold at once fails instead of waiting (a function is evaluated once).
 */
export async function untilInPage(page: Page, check: (arg: string) => boolean, arg: string, timeout?: number): Promise<void> {
  await page.waitForFunction(check, arg, timeout === undefined ? {} : { timeout });
}
