import { MAX_JSON_DEPTH, unacceptableInput } from './body-shape.js';

const nested = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('unacceptableInput', () => {
  it('accepts ordinary JSON, including text in any script', () => {
    expect(unacceptableInput({ name: 'Ада 💥 e\u0301', tags: ['a', { b: 1 }], n: null })).toBeUndefined();
    expect(unacceptableInput(nested(MAX_JSON_DEPTH))).toBeUndefined();
  });

  it('refuses nesting deeper than the limit, however deep, without recursing', () => {
    expect(unacceptableInput(nested(MAX_JSON_DEPTH + 1))).toMatch(/nested more than 32/);
    expect(unacceptableInput(nested(100_000))).toMatch(/nested/);
  });

  it('refuses the member names JavaScript treats specially, at any depth', () => {
    for (const name of ['__proto__', 'constructor', 'prototype'])
      expect(unacceptableInput(JSON.parse(`{"a": [{"${name}": 1}]}`))).toMatch(new RegExp(`named ${name}`));
    expect(unacceptableInput({ constructorName: 1, prototypes: [] })).toBeUndefined();
  });

  it('refuses NUL characters and unpaired surrogates, in values and in member names', () => {
    expect(unacceptableInput({ name: 'a\u0000b' })).toMatch(/NUL/);
    expect(unacceptableInput({ name: ['ok', 'lone \ud800'] })).toMatch(/surrogate/);
    expect(unacceptableInput({ '\udfffkey': 1 })).toMatch(/member name/);
    expect(unacceptableInput('\u0000')).toMatch(/NUL/);
  });
});
