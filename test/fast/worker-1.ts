// A worker of npm run test:fast (see shard.ts): node --test runs each entry path once, hence one file per worker.
import { runShard } from './shard.ts';

await runShard();
