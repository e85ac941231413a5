/** A parse failure: what went wrong and the 0-based offset in the text where it did. */
export class JsonSyntaxError extends Error {
  /** 0-based offset (UTF-16 code units) of the offending character. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
  }
}

/** A parsed JSON value. Objects have a null prototype, so `__proto__` is a plain key. */
export type ParsedJson =
  | null
  | boolean
  | number
  | string
  | ParsedJson[]
  | { [key: string]: ParsedJson };

/** The result of {@link parseJson}: the value and where each object or array starts. */
export interface ParsedDocument {
  readonly value: ParsedJson;
  /** Offset of the opening brace / bracket of every object and array in `value`. */
  readonly offsets: WeakMap<object, number>;
}

/**
 * A strict JSON (RFC 8259) parser that reports the offset of the first error.
 * `JSON.parse` is not enough here: V8's messages often carry no position, and a
 * human-edited flags file deserves "line 12, column 5". It also rejects duplicate
 * keys (silently keeping the last one would hide an editing mistake), and builds
 * objects on a null prototype so a key such as `__proto__` stays data.
 */
export function parseJson(text: string): ParsedDocument {
  const offsets = new WeakMap<object, number>();
  let i = 0;

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const describe = (at: number): string =>
    at >= text.length ? 'end of file' : `${JSON.stringify(text[at])}`;

  const skipSpace = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      // JSON white space is exactly space, tab, line feed and carriage return.
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else return;
    }
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(chunk, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string (escape it)');
      if (c === 0x5c) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            i += 2;
            break;
          case 'b':
            out += '\b';
            i += 2;
            break;
          case 'f':
            out += '\f';
            i += 2;
            break;
          case 'n':
            out += '\n';
            i += 2;
            break;
          case 'r':
            out += '\r';
            i += 2;
            break;
          case 't':
            out += '\t';
            i += 2;
            break;
          case 'u': {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 6;
            break;
          }
          default:
            fail('invalid escape sequence');
        }
        chunk = i;
        continue;
      }
      i++;
    }
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const parseNumber = (): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0] === '-' || m[0].length === 0) fail(`unexpected ${describe(i)}`);
    const value = Number(m?.[0]);
    if (!Number.isFinite(value)) fail('number out of range');
    i += m?.[0].length ?? 0;
    return value;
  };

  const parseLiteral = (word: string, value: ParsedJson): ParsedJson => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail(`unexpected ${describe(i)}`);
  };

  const eat = (c: string): boolean => {
    if (text[i] !== c) return false;
    i++;
    return true;
  };
  // At '{' or '[': records where the container starts; true when it closes at once.
  const opens = (container: object, close: string): boolean => {
    offsets.set(container, i);
    i++;
    skipSpace();
    return eat(close);
  };
  // After a member: false at a comma (another member follows), true at `close`.
  const closes = (close: string, after: string): boolean => {
    skipSpace();
    if (eat(',')) return false;
    if (eat(close)) return true;
    return fail(`expected ',' or '${close}' after ${after}, found ${describe(i)}`);
  };

  const parseValue = (depth: number): ParsedJson => {
    // Far beyond any real flags file; keeps a hostile file from blowing the stack.
    if (depth > 512) fail('nesting too deep');
    skipSpace();
    const c = text[i];
    switch (c) {
      case '{': {
        const obj: { [key: string]: ParsedJson } = Object.create(null);
        if (opens(obj, '}')) return obj;
        do {
          skipSpace();
          if (text[i] !== '"')
            fail(`expected a property name in double quotes, found ${describe(i)}`);
          const keyAt = i;
          const key = parseString();
          if (Object.hasOwn(obj, key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
          skipSpace();
          if (!eat(':')) fail(`expected ':' after property name, found ${describe(i)}`);
          obj[key] = parseValue(depth + 1);
        } while (!closes('}', 'property value'));
        return obj;
      }
      case '[': {
        const arr: ParsedJson[] = [];
        if (opens(arr, ']')) return arr;
        do arr.push(parseValue(depth + 1));
        while (!closes(']', 'array element'));
        return arr;
      }
      case '"':
        return parseString();
      case 't':
        return parseLiteral('true', true);
      case 'f':
        return parseLiteral('false', false);
      case 'n':
        return parseLiteral('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
        return fail(
          i >= text.length ? 'unexpected end of file (truncated?)' : `unexpected ${describe(i)}`,
        );
    }
  };

  // A UTF-8 byte order mark is what some editors put first; tolerate it.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  skipSpace();
  if (i >= text.length) fail('the file is empty');
  const value = parseValue(0);
  skipSpace();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the document`);
  return { value, offsets };
}

/** Converts a 0-based offset into a 1-based `line:column` (columns count UTF-16 code units). */
export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let k = 0; k < end; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return `${line}:${end - lineStart + 1}`;
}
