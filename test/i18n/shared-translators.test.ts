// A plain-text connection must not build an i18next instance of its own (about a millisecond
// of the event loop each): strangers opening nc connections would spend the server's CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTranslator, translatorFor } from '../../src/i18n/i18n.ts';
import { greeting, PlainTextView } from '../../src/server/plain-text.ts';

test('one shared translator per language, in that language', () => {
  assert.equal(translatorFor('zh-CN'), translatorFor('zh-CN'));
  assert.equal(translatorFor('en').locale, 'en');
  assert.equal(translatorFor('zh-CN').t('plain.help.intro'), createTranslator('zh-CN').t('plain.help.intro'));
  assert.notEqual(translatorFor('zh-CN').t('plain.help.intro'), translatorFor('en').t('plain.help.intro'));
});

test('a plain-text view and its /lang use the shared translators, never a new instance', () => {
  // Timing belongs in npm run bench: here, the view is checked to hold the shared object.
  const view = new PlainTextView('#lobby', translatorFor('en'));
  const held = (): unknown => (view as unknown as { translator: unknown }).translator;
  assert.equal(held(), translatorFor('en'));
  view.input('/lang zh', undefined);
  assert.equal(view.locale, 'zh-CN');
  assert.equal(held(), translatorFor('zh-CN'));
  assert.deepEqual(greeting('test.parlor', 'Parlor', translatorFor('zh-CN')), greeting('test.parlor', 'Parlor', createTranslator('zh-CN')));
});
