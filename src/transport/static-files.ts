// The built web client's files on the web port, served by sirv: the precompressed .br/.gz
// sibling web/vite.config.ts wrote at build time when the browser accepts it, weak ETags with
// 304 on If-None-Match, hashed /assets/ cached for a year, everything else revalidated. Only
// files found by scanning the directory are served (no traversal, no listing, no dotfiles); the
// scan is redone when a rebuild has changed the directory, so a running server serves the new
// build rather than stale lengths.
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import { extname, join } from 'node:path';
import sirv, { type RequestHandler } from 'sirv';
import { acceptedCompression } from './accept-encoding.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

/** Vite puts a content hash in every name under /assets/: a new build means new names. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html and the unhashed files: cached, but revalidated (ETag) before each use. */
export const REVALIDATE_CACHE = 'no-cache';

export const NOT_BUILT_MESSAGE = 'The web client is not built: run `npm run build`.\n';

/** Browsers ask for /favicon.ico whatever the page links; a build without one answers with its SVG. */
const COMPRESSED_SUFFIXES = ['.br', '.gz'];

const FAVICON_ICO = '/favicon.ico';
const FAVICON_SVG = '/favicon.svg';

export interface StaticFiles {
  /** Answers a GET or HEAD for `path` (decoded and checked by requestPath). */
  serve(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void>;
}

/**
 * What the build looked like when scanned. A rebuild replaces the entries of the directory and of
 * assets/ (the compressed siblings come last), which moves their mtimes; index.html is the one
 * file that may be rewritten in place.
 */
async function directorySignature(dir: string): Promise<string | undefined> {
  const [root, assets, index] = await Promise.all(['', 'assets', 'index.html'].map((name) => stat(join(dir, name)).catch(() => undefined)));
  if (!root?.isDirectory()) return undefined;
  return [root.mtimeMs, assets?.mtimeMs ?? 0, index?.mtimeMs ?? 0, index?.size ?? 0].join('/');
}

/**
 * Files are asked for by their own names: a trailing slash (`/index.html/`) would be stripped by
 * sirv, and the compressed siblings are representations of their file, not files of their own.
 */
function servable(path: string): boolean {
  return (path === '/' || !path.endsWith('/')) && !COMPRESSED_SUFFIXES.some((suffix) => path.endsWith(suffix));
}

function contentType(pathname: string): string | undefined {
  return TYPES[pathname.endsWith('/') ? '.html' : extname(pathname)];
}

function scan(dir: string): RequestHandler {
  return sirv(dir, {
    etag: true,
    brotli: true,
    gzip: true,
    extensions: ['html'],
    dotfiles: false,
    // The same types (with their charsets) as before sirv, whichever sibling is sent.
    setHeaders: (res, pathname) => {
      const type = contentType(pathname);
      if (type !== undefined) res.setHeader('Content-Type', type);
    },
  });
}

export function staticFiles(dir: string | undefined): StaticFiles {
  let scanned: { signature: string; handler: RequestHandler } | undefined;

  const currentHandler = async (): Promise<RequestHandler | undefined> => {
    if (dir === undefined) return undefined;
    const signature = await directorySignature(dir);
    if (signature === undefined) return undefined;
    if (scanned?.signature !== signature) {
      try {
        scanned = { signature, handler: scan(dir) };
      } catch {
        // A build in progress removed a file under the scan: try again on the next request.
        return undefined;
      }
    }
    return scanned.handler;
  };

  return {
    async serve(req, res, path) {
      const handler = await currentHandler();
      if (handler === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(NOT_BUILT_MESSAGE);
        return;
      }
      // Whole files only: the files are small, and sirv takes a Range header's numbers on trust.
      delete req.headers.range;
      // sirv matches substrings: it is told only the codings really accepted (not `br;q=0`).
      req.headers['accept-encoding'] = acceptedCompression(req.headers['accept-encoding']);
      // Set before sirv runs so that a 304 carries them too; a 404 takes them off again.
      res.setHeader('Cache-Control', path.startsWith('/assets/') ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
      res.setHeader('Vary', 'Accept-Encoding');
      // A file removed since the scan (a rebuild under way) ends this answer, not the process,
      // and the next request scans again.
      res.once('pipe', (source: NodeJS.ReadableStream) =>
        source.once('error', () => {
          scanned = undefined;
          res.destroy();
        }),
      );
      const notFound = (): void => {
        res.removeHeader('Cache-Control');
        res.removeHeader('Vary');
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      };
      const orFavicon =
        path === FAVICON_ICO
          ? (): void => {
              req.url = FAVICON_SVG;
              handler(req, res, notFound);
            }
          : notFound;
      if (!servable(path)) return notFound();
      // sirv reads req.url itself: give it the path already decoded and checked, encoded once.
      req.url = encodeURI(path);
      handler(req, res, orFavicon);
    },
  };
}
