// The shortcuts that keep look-alike checks off the registration path when every nick is ASCII
// (bench register-500): the ASCII skeleton without normalization, and the twin index answering
// an ASCII nick at once while it holds no non-ASCII nick. Each must answer as the long way does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { foldNick } from '../../src/protocol/casemapping.ts';
import { nickSkeleton } from '../../src/protocol/nick-skeleton.ts';
import { sanitizeUsername } from '../../src/protocol/validate.ts';
import { LookalikeNicks, nickOccupants } from '../../src/network/lookalike-nicks.ts';
import { NetworkState } from '../../src/network/network-state.ts';
import { User } from '../../src/network/state.ts';

/** TR39 §4 as written, for every input: NFKC and NFD, the table, NFD again, the fold. */
function referenceSkeleton(nick: string): string {
  const table = confusables as Record<string, string>;
  let mapped = '';
  for (const char of nick.normalize('NFKC').normalize('NFD')) mapped += table[char] ?? char;
  return foldNick(mapped.normalize('NFD'));
}

const user = (uid: string, nick: string): User =>
  new User({ uid, nodeId: 'n', nick, username: 'u', hostname: 'h', realname: 'r', signonAt: 0, secure: false, address: '127.0.0.1', modes: '' });

describe('the skeleton of an ASCII nick', () => {
  test('every ASCII character maps as TR39 says (m is rn, 0 is O, | and I are l)', () => {
    for (let code = 0; code < 0x80; code++) {
      const text = `a${String.fromCharCode(code)}Z`;
      assert.equal(nickSkeleton(text), referenceSkeleton(text), `code ${code}`);
    }
  });

  test('whole nicks, ASCII or not, as TR39 says', () => {
    for (const nick of ['paypal', 'PayPal', 'bob0', 'bobO', 'a|ice', 'mary', '[Guest]~', 'x%y', 'p\u0430ypal', 'РАУРАL', 'ＡＢＣ', '张三', 'Zoe\u0301']) {
      assert.equal(nickSkeleton(nick), referenceSkeleton(nick), nick);
    }
  });
});

describe('the twin index with ASCII nicks only', () => {
  test('a nick renamed from non-ASCII to ASCII no longer counts: ASCII nicks have no twins again', () => {
    const index = new LookalikeNicks();
    const papa = user('1', 'papa');
    index.add(papa);
    const cyrillic = user('2', '\u0440\u0430\u0440\u0430'); // рара
    index.add(cyrillic);
    assert.deepEqual(index.twinsOf('papa', papa), [cyrillic]);
    cyrillic.nick = 'zed'; // as the reducer renames: the nick first, then add
    index.add(cyrillic);
    assert.deepEqual(index.twinsOf('papa', papa), []);
    assert.deepEqual(index.twinsOf('\u0440\u0430\u0440\u0430'), [papa], 'a non-ASCII nick still finds the ASCII one');
    papa.nick = '\u0440\u0430pa'; // рapa: now a non-ASCII twin of "papa"
    index.add(papa);
    assert.deepEqual(index.twinsOf('papa'), [papa]);
    index.remove(papa);
    assert.deepEqual(index.twinsOf('papa'), []);
  });

  test('users sharing a skeleton come and go in any order; the first added is the twin', () => {
    const index = new LookalikeNicks();
    const [a, b, c] = [user('1', 'bob0'), user('2', 'bobO'), user('3', 'B0B0')];
    const twin = 'b\u043ebO'; // bоbO, a Cyrillic о: looks like all three
    for (const u of [a, b, c]) index.add(u);
    assert.deepEqual(index.twinsOf(twin), [a, b, c]);
    index.remove(a);
    assert.deepEqual(index.twinsOf(twin), [b, c]);
    index.add(a);
    assert.deepEqual(index.twinsOf(twin), [b, c, a]);
    index.remove(b);
    index.remove(a);
    assert.deepEqual(index.twinsOf(twin), [c]);
    assert.equal(index.twinOf(twin, c), undefined);
    index.remove(c);
    index.remove(c);
    assert.deepEqual(index.twinsOf(twin), []);
    index.add(b);
    index.add(b);
    assert.deepEqual(index.twinsOf(twin), [b]);
  });

  test('clear() forgets the non-ASCII nicks too', () => {
    const index = new LookalikeNicks();
    index.add(user('1', '\u0440\u0430\u0440\u0430'));
    index.clear();
    const latin = user('2', 'papa');
    index.add(latin);
    assert.deepEqual(index.twinsOf('papa'), []);
    assert.deepEqual(index.twinsOf('\u0440\u0430\u0440\u0430'), [latin]);
  });
});

describe('the network index, which takes ASCII nicks in only once some nick is not ASCII', () => {
  const join = (network: NetworkState, u: User): User => {
    network.users.set(u.uid, u);
    network.nicks.set(u.foldedNick, u);
    network.lookalikes.add(u);
    return u;
  };

  test('ASCII users joined before any other nick are found by a non-ASCII one', () => {
    const network = new NetworkState();
    const papa = join(network, user('1', 'papa'));
    const bob = join(network, user('2', 'bob0'));
    assert.deepEqual(network.lookalikes.twinsOf('papa'), []);
    assert.deepEqual(network.lookalikes.twinsOf('\u0440\u0430\u0440\u0430'), [papa], 'рара looks like papa');
    assert.deepEqual(network.lookalikes.twinsOf('b\u043eb0'), [bob]);
  });

  test('the first non-ASCII user finds, and is found by, the ASCII ones there before', () => {
    const network = new NetworkState();
    const papa = join(network, user('1', 'papa'));
    const cyrillic = join(network, user('2', '\u0440\u0430\u0440\u0430'));
    assert.deepEqual(network.lookalikes.twinsOf('papa'), [cyrillic]);
    assert.deepEqual(network.lookalikes.twinsOf('\u0440\u0430\u0440\u0430', cyrillic), [papa]);
    const later = join(network, user('3', 'PAPA'));
    assert.deepEqual(network.lookalikes.twinsOf('\u0440\u0430\u0440\u0430', cyrillic), [papa, later], 'ASCII users after it are indexed as they come');
  });

  test('after clear() (a snapshot loaded), ASCII users wait again for the first non-ASCII one', () => {
    const network = new NetworkState();
    const papa = join(network, user('1', 'papa'));
    join(network, user('2', '\u0440\u0430\u0440\u0430'));
    network.users.delete('2');
    network.lookalikes.clear();
    for (const u of network.users.values()) network.lookalikes.add(u);
    assert.deepEqual(network.lookalikes.twinsOf('papa'), []);
    assert.deepEqual(network.lookalikes.twinsOf('\u0440\u0430\u0440\u0430'), [papa]);
  });
});

describe('nickOccupants', () => {
  test('the holder who is also a look-alike is named once, after the other twins', () => {
    const network = new NetworkState();
    const holder = user('1', 'Жора');
    const twin = user('2', '\u0416\u043e\u0440a'); // Жорa: Latin a at the end
    for (const u of [holder, twin]) {
      network.users.set(u.uid, u);
      network.nicks.set(u.foldedNick, u);
      network.lookalikes.add(u);
    }
    assert.deepEqual(nickOccupants(network, 'жора'), [holder, twin]);
    assert.deepEqual(nickOccupants(network, 'жора', holder), [twin]);
    assert.deepEqual(nickOccupants(network, 'nobody'), []);
  });

  test('with ASCII nicks only: the holder, or no one', () => {
    const network = new NetworkState();
    const bob = user('1', 'bob');
    network.users.set(bob.uid, bob);
    network.nicks.set(bob.foldedNick, bob);
    network.lookalikes.add(bob);
    assert.deepEqual(nickOccupants(network, 'BOB'), [bob]);
    assert.deepEqual(nickOccupants(network, 'bob', bob), []);
    assert.deepEqual(nickOccupants(network, 'b0b'), []);
  });
});

test('a username short enough is kept as it is; a longer one is cut between characters', () => {
  assert.equal(sanitizeUsername('alice', 5), 'alice');
  assert.equal(sanitizeUsername('~alice', 10), 'alice');
  assert.equal(sanitizeUsername('𠀀𠀁', 2), '𠀀𠀁', 'four UTF-16 units, two characters');
  assert.equal(sanitizeUsername('𠀀𠀁𠀂', 2), '𠀀𠀁');
});
