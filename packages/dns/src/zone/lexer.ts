/**
 * The master-file lexer (RFC 1035 5.1): splits text into entries, one per logical line, each a
 * list of raw tokens. Parentheses join physical lines into one entry; `;` starts a comment to the
 * end of the line; `"..."` is one token whatever it holds (blanks, `;`, parentheses); a backslash
 * escapes the next character anywhere. Tokens keep their raw text (quotes and escapes included):
 * which field a token is decides how it is read, so that is for the RDATA parsers.
 */

/** One token: raw text as written, and the line it starts on. */
export interface Token {
  text: string;
  line: number;
}

/** One logical line. */
export interface Entry {
  /** The line of its first token. */
  line: number;
  /** The line began with a blank: the owner field is empty (RFC 1035 5.1). */
  blankOwner: boolean;
  tokens: Token[];
}

/** Throws the caller's error for a problem at `line`. */
export type Fail = (line: number, reason: string) => never;

function isDelimiter(c: string): boolean {
  return (
    c === ' ' ||
    c === '\t' ||
    c === '\r' ||
    c === '\n' ||
    c === ';' ||
    c === '(' ||
    c === ')' ||
    c === '"'
  );
}

export function lex(text: string, fail: Fail): Entry[] {
  const entries: Entry[] = [];
  const n = text.length;
  let line = 1;
  let depth = 0;
  let openLine = 0;
  let blankStart = n > 0 && (text[0] === ' ' || text[0] === '\t');
  let entry: Entry | undefined;
  // The token being built: its text so far and its line (-1 when none).
  let word = '';
  let wordLine = -1;

  const endWord = () => {
    if (wordLine < 0) return;
    if (entry === undefined) entry = { line: wordLine, blankOwner: blankStart, tokens: [] };
    entry.tokens.push({ text: word, line: wordLine });
    word = '';
    wordLine = -1;
  };
  const endEntry = () => {
    if (entry !== undefined) entries.push(entry);
    entry = undefined;
  };

  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      endWord();
      line++;
      i++;
      if (depth === 0) {
        endEntry();
        blankStart = i < n && (text[i] === ' ' || text[i] === '\t');
      }
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === ';') {
      endWord();
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '(') {
      endWord();
      if (depth === 0) openLine = line;
      depth++;
      i++;
    } else if (c === ')') {
      endWord();
      if (depth === 0) fail(line, "')' without a matching '('");
      depth--;
      i++;
    } else if (c === '"') {
      // A quoted string: one token (or the end of one, as in key="a b"), ended by the quote.
      if (wordLine < 0) wordLine = line;
      let j = i + 1;
      for (;;) {
        if (j >= n || text[j] === '\n') fail(line, 'quoted string is not closed on its line');
        const d = text[j]!;
        if (d === '"') break;
        if (d === '\\') {
          if (j + 1 >= n || text[j + 1] === '\n') fail(line, 'backslash at the end of a line');
          j += 2;
        } else {
          j++;
        }
      }
      word += text.slice(i, j + 1);
      i = j + 1;
      endWord();
    } else {
      if (wordLine < 0) wordLine = line;
      let j = i;
      while (j < n && !isDelimiter(text[j]!)) {
        if (text[j] === '\\') {
          if (j + 1 >= n || text[j + 1] === '\n') fail(line, 'backslash at the end of a line');
          j += 2;
        } else {
          j++;
        }
      }
      word += text.slice(i, j);
      i = j;
    }
  }
  endWord();
  if (depth > 0) fail(openLine, "'(' is never closed by a ')'");
  endEntry();
  return entries;
}
