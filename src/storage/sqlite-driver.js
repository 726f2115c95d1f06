// @ts-check
// Which build of better-sqlite3 this Node loads. Version 12 (a classic addon, compiled for one
// Node ABI) aborts the process on Node 24 when a statement is garbage-collected (its ObjectWrap
// cleanup hook asserts); version 13 (Node-API, prebuilt inside the npm package) fixes that but
// needs Node ≥ 22 and crashes on Node 20. Both are installed (13 under the alias
// better-sqlite3-napi) with the same API, so Node 20 keeps 12 and Node 22 or newer gets 13.
// Plain JavaScript, like the writer thread that also opens databases (sqlite-writer-worker.js).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The Node major from which the Node-API build is used. */
export const NAPI_FROM_NODE_MAJOR = 22;

/** The package name this Node loads. */
export const sqliteDriverPackage = Number(process.versions.node.split('.')[0]) >= NAPI_FROM_NODE_MAJOR ? 'better-sqlite3-napi' : 'better-sqlite3';

/** better-sqlite3's Database constructor, of the build this Node can run. */
const Database = /** @type {typeof import('better-sqlite3')} */ (require(sqliteDriverPackage));
export default Database;
