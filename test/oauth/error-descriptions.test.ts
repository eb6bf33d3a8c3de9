import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isWireDescription, OAUTH_DESCRIPTIONS, shown, toWireDescription } from '../../src/domain/oauth-descriptions.js';

// RFC 6749 §5.2: error-description = 1*( %x20-21 / %x23-5B / %x5D-7E ). Every description the
// OAuth endpoints can send comes from OAUTH_DESCRIPTIONS; this checks each entry of the table,
// with harmless and with hostile values in every slot, not a sample.

const RFC_6749_5_2 = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;

const HOSTILE_VALUES = [
  'foo"bar',
  'back\\slash',
  '§ 3.2',
  'é ✓ 😀',
  '\u0000\u0007\u001b]0;title\u0007\r\n\t',
  '\ud800 lone surrogate',
  '\u007f\u0080\u009f',
  'x'.repeat(5000),
  '',
];

type Entry = (...values: readonly (string | number)[]) => string;
const entries = Object.entries(OAUTH_DESCRIPTIONS) as [string, Entry][];

describe('error_description (RFC 6749 §5.2)', () => {
  it('the table is not empty and every entry is a function of its values', () => {
    assert.ok(entries.length >= 35, `${entries.length} entries`);
  });

  for (const [name, describe_] of entries) {
    it(`${name}: the text itself needs no escaping, and hostile values cannot break it`, () => {
      const harmless = describe_(...Array.from({ length: describe_.length }, (_v, i) => (i === 1 && name === 'parameterTooLong' ? 256 : 'value')));
      assert.match(harmless, RFC_6749_5_2, `${name}: ${JSON.stringify(harmless)}`);
      // Readable as written: nothing in the fixed text was percent-encoded.
      assert.doesNotMatch(harmless.replace(/'value'/g, ''), /%[0-9A-F]{2}/, name);
      for (const hostile of HOSTILE_VALUES) {
        const text = describe_(...Array.from({ length: describe_.length }, () => hostile));
        assert.match(text, RFC_6749_5_2, `${name} with ${JSON.stringify(hostile.slice(0, 20))}: ${JSON.stringify(text.slice(0, 200))}`);
        assert.ok(text.length <= 1000, `${name}: a description stays short (${text.length})`);
      }
    });
  }

  it('toWireDescription leaves allowed characters alone and encodes every other code point', () => {
    for (let code = 0; code <= 0x2ffff; code += code < 0x800 ? 1 : 97) {
      const character = String.fromCodePoint(code);
      const allowed = code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c;
      const out = toWireDescription(`a${character}b`);
      assert.ok(isWireDescription(out), `U+${code.toString(16)}`);
      if (allowed) assert.equal(out, `a${character}b`);
      else assert.match(out, /^a(%[0-9A-F]{2})+b$/, `U+${code.toString(16)}`);
    }
  });

  it('shown() quotes with single quotes, percent-encodes and shortens', () => {
    assert.equal(shown('foo'), "'foo'");
    assert.equal(shown('a"b\\c§'), "'a%22b%5Cc%C2%A7'");
    assert.equal(shown('x'.repeat(100)), `'${'x'.repeat(64)}...'`);
  });
});
