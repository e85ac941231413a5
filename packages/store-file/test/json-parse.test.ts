import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, lineColumn, parseJson } from '../src/json-parse.js';

function errorAt(text: string): string {
  try {
    parseJson(text);
  } catch (error) {
    expect(error).toBeInstanceOf(JsonSyntaxError);
    const e = error as JsonSyntaxError;
    return `${lineColumn(text, e.offset)} ${e.message}`;
  }
  throw new Error('expected a syntax error');
}

describe('parseJson', () => {
  it('parses what JSON.parse parses, with null-prototype objects', () => {
    const text =
      '{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9\\"\\\\"], "__proto__": {"b": {}}}';
    const { value } = parseJson(text);
    expect(JSON.stringify(value)).toBe(JSON.stringify(JSON.parse(text)));
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(Object.keys(value as object)).toEqual(['a', '__proto__']);
  });

  it('reports line and column of the first error', () => {
    expect(errorAt('{\n  "a": 1,\n  "b": }')).toBe('3:8 unexpected "}"');
    expect(errorAt('{\n  "a": 1\n')).toMatch(/^3:1 expected ',' or '}'.*end of file/);
    expect(errorAt('{"a": 01}')).toMatch(/^1:8 expected ','/);
    expect(errorAt('{"a": "tab\there"}')).toMatch(/^1:11 control character/);
    expect(errorAt('{"a": 1} x')).toMatch(/^1:10 unexpected "x" after the end/);
    expect(errorAt("{'a': 1}")).toMatch(/^1:2 expected a property name in double quotes/);
    expect(errorAt('[1, 2,]')).toMatch(/^1:7 unexpected "]"/);
  });
});
