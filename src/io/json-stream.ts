import { fault } from './types.ts';

/**
 * A streaming splitter for big JSON files: it walks the text once, keeping only the value it
 * is currently inside, and hands out each element of the root array or of the root object's
 * `features` (GeoJSON) or `results` (KoboToolbox API) array as its own JSON text. A million-
 * feature FeatureCollection is thus never held whole, nor twice. Written by hand because it is
 * ~150 lines and needs to report line/column and cap oversized features, which general
 * streaming JSON parsers do not do without building every value token by token.
 */

export type JsonPiece =
  /** One element of the streamed array; `text` is null when it exceeded the size cap. */
  | { kind: 'element'; key: string | null; text: string | null; chars: number; line: number; column: number }
  /** A root-object member other than the streamed array, parsed. */
  | { kind: 'member'; key: string; value: unknown }
  | { kind: 'end'; root: 'object' | 'array' };

const STREAMED_KEYS = new Set(['features', 'results']);

enum S {
  Root,
  Key,
  KeyString,
  Colon,
  ValueStart,
  Capture,
  AfterMember,
  ElementStart,
  AfterElement,
  Done,
}

/**
 * Splits JSON text arriving in chunks. Throws `io.json.parse` (with line and column) when the
 * structure itself is broken; an element that is well-bracketed but not valid JSON is handed
 * out as text, for the caller to report against that element alone.
 */
export async function* splitJson(chunks: AsyncIterable<string>, maxChars: number): AsyncGenerator<JsonPiece> {
  let state = S.Root as S;
  let root: 'object' | 'array' = 'object';
  let line = 1;
  let column = 0;
  let key = '';
  let keyParts: string[] = [];
  let escaped = false;
  // Capture of the current value.
  let parts: string[] = [];
  let captured = 0;
  let depth = 0;
  let inString = false;
  let startLine = 0;
  let startColumn = 0;
  let capturingElement = false;
  let arrayKey: string | null = null;

  const broken = (detail: string): never => {
    throw fault('io.json.parse', { line, column, detail });
  };

  const finishCapture = (): JsonPiece => {
    const tooLong = captured > maxChars;
    const text = tooLong ? null : parts.join('').trim();
    parts = [];
    const piece: JsonPiece = capturingElement
      ? { kind: 'element', key: arrayKey, text, chars: captured, line: startLine, column: startColumn }
      : { kind: 'member', key, value: text === null ? null : parseMember(text, key, startLine, startColumn) };
    captured = 0;
    return piece;
  };

  for await (const chunk of chunks) {
    let i = 0;
    const n = chunk.length;
    // A value or key that began in an earlier chunk continues from this chunk's start.
    let captureFrom = state === S.Capture || state === S.KeyString ? 0 : -1;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (c === 10) {
        line++;
        column = 0;
      } else column++;
      switch (state) {
        case S.Capture: {
          if (inString) {
            if (escaped) escaped = false;
            else if (c === 92) escaped = true;
            else if (c === 34) inString = false;
            break;
          }
          if (c === 34) inString = true;
          else if (c === 123 || c === 91) depth++;
          else if (c === 125 || c === 93 || c === 44) {
            if (depth > 0 && c !== 44) depth--;
            else if (depth === 0) {
              // End of the value: this character belongs to the container.
              if (captured <= maxChars) parts.push(chunk.slice(captureFrom, i));
              captured += i - captureFrom;
              captureFrom = -1;
              yield finishCapture();
              state = capturingElement ? S.AfterElement : S.AfterMember;
              column--; // re-read this character (never a newline) in the new state
              continue;
            }
          }
          break;
        }
        case S.Root:
          if (isSpace(c) || (c === 0xfeff && line === 1)) break;
          if (c === 123) state = S.Key;
          else if (c === 91) {
            root = 'array';
            arrayKey = null;
            state = S.ElementStart;
          } else broken('expected { or [');
          break;
        case S.Key:
          if (isSpace(c)) break;
          if (c === 34) {
            keyParts = [];
            state = S.KeyString;
            captureFrom = i + 1;
          } else if (c === 125) state = S.Done;
          else broken('expected a member name');
          break;
        case S.KeyString:
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) {
            keyParts.push(chunk.slice(captureFrom, i));
            captureFrom = -1;
            key = JSON.parse(`"${keyParts.join('')}"`) as string;
            state = S.Colon;
          }
          break;
        case S.Colon:
          if (isSpace(c)) break;
          if (c === 58) state = S.ValueStart;
          else broken('expected :');
          break;
        case S.ValueStart:
          if (isSpace(c)) break;
          if (c === 91 && STREAMED_KEYS.has(key)) {
            arrayKey = key;
            state = S.ElementStart;
            break;
          }
          capturingElement = false;
          startCapture();
          continue;
        case S.AfterMember:
          if (isSpace(c)) break;
          if (c === 44) state = S.Key;
          else if (c === 125) state = S.Done;
          else broken('expected , or }');
          break;
        case S.ElementStart:
          if (isSpace(c)) break;
          if (c === 93) {
            state = root === 'array' && arrayKey === null ? S.Done : S.AfterMember;
            break;
          }
          capturingElement = true;
          startCapture();
          continue;
        case S.AfterElement:
          if (isSpace(c)) break;
          if (c === 44) state = S.ElementStart;
          else if (c === 93) state = root === 'array' && arrayKey === null ? S.Done : S.AfterMember;
          else broken('expected , or ]');
          break;
        case S.Done:
          if (!isSpace(c)) broken('unexpected text after the end');
          break;
      }
      i++;
    }
    if (state === S.Capture && captureFrom >= 0) {
      if (captured <= maxChars) parts.push(chunk.slice(captureFrom));
      captured += n - captureFrom;
      if (captured > maxChars) parts = [];
    } else if (state === S.KeyString) {
      keyParts.push(chunk.slice(captureFrom));
    }

    function startCapture() {
      state = S.Capture;
      depth = 0;
      inString = false;
      escaped = false;
      parts = [];
      captured = 0;
      captureFrom = i;
      startLine = line;
      startColumn = column;
      // The character at i (never a newline) is read again in the Capture state.
      column--;
    }
  }
  if (state !== S.Done) broken('the file ends before the JSON is complete');
  yield { kind: 'end', root };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function parseMember(text: string, key: string, line: number, column: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fault('io.json.parse', { line, column, detail: `${key}: ${(e as Error).message}` });
  }
}

/**
 * Parses one element's text; on failure returns a located problem. Example:
 * `parseElement('{"a":}', 3, 5)` → problem `io.json.parse` with line 3.
 */
export function parseElement(
  text: string,
  line: number,
  column: number,
): { ok: true; value: unknown } | { ok: false; line: number; column: number; detail: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const detail = (e as Error).message;
    const pos = /position (\d+)/.exec(detail);
    if (!pos) return { ok: false, line, column, detail };
    // Turn the offset inside the element into a line/column of the file.
    const before = text.slice(0, Number(pos[1]));
    const nl = before.lastIndexOf('\n');
    const lines = before.split('\n').length - 1;
    return {
      ok: false,
      line: line + lines,
      column: lines === 0 ? column + before.length : before.length - nl - 1,
      detail,
    };
  }
}
