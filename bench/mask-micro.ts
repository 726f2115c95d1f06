// Mask matching micro-benchmark: the worst masks a client can send (a 512-byte line of stars,
// `*a*a…*b` that never matches) against the longest subjects the server holds, per match and
// for a WHO over many users. Issue 12's bar: the worst WHO answered in under 50 ms.
//
//   node --import tsx bench/mask-micro.ts [--users 10000]
import { parseArgs } from 'node:util';
import { compileMask, matchMask } from '../src/protocol/mask.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '10000' } } });
const users = Number(values.users);

const WORST = {
  'stars-26': '*a'.repeat(12) + '*b',
  'stars-506': ('*'.repeat(20) + 'a').repeat(24) + '*b',
  'star-a-506': '*a'.repeat(252) + '*b',
  'question-506': '*?'.repeat(252) + '*b',
};
const subjects = ['a'.repeat(30) + '!' + 'a'.repeat(18) + '@127.0.0.1', 'a'.repeat(128)];

for (const [name, mask] of Object.entries(WORST)) {
  for (const subject of subjects) {
    const reps = 2000;
    const started = performance.now();
    for (let i = 0; i < reps; i++) matchMask(mask, subject);
    const us = ((performance.now() - started) * 1000) / reps;
    console.log(`${name.padEnd(13)} subject ${String(subject.length).padStart(3)} chars: ${us.toFixed(2)} µs a match`);
  }
  // WHO <mask>: five fields of every user (nick, user, host, realname, server name); best of 3.
  const match = compileMask(mask);
  const fields = ['a'.repeat(30), 'a'.repeat(18), '127.0.0.1', 'a'.repeat(128), 'parlor.local'];
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    for (let u = 0; u < users; u++) fields.some(match);
    best = Math.min(best, performance.now() - started);
  }
  console.log(`${name.padEnd(13)} WHO over ${users} users: ${best.toFixed(1)} ms`);
}
