// Driver output is read in bounded byte ranges; a range may end inside a multi-byte UTF-8 character.

const decoder = new TextDecoder('utf-8');

/**
 * The text of `bytes`, and how many of them it covers. When more bytes follow (`final` false), a character cut at the
 * end is left for the next read, so offsets always fall on character boundaries and no character is mangled.
 */
export function utf8Prefix(bytes: Uint8Array, final: boolean): { readonly text: string; readonly length: number } {
  const length = final ? bytes.length : bytes.length - incompleteTail(bytes);
  return { text: decoder.decode(bytes.subarray(0, length)), length };
}

/** Bytes at the end that start a character the range does not finish (0 to 3). */
function incompleteTail(bytes: Uint8Array): number {
  // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  // Only continuation bytes: not UTF-8 we can repair; decode it as it is.
  return 0;
}

/** The slice `[offset, offset + limit)` of a text that only ever grows, as an output chunk. */
export function sliceText(whole: string, offset: number, limit: number): { readonly text: string; readonly nextOffset: number; readonly atEnd: boolean } {
  const bytes = Buffer.from(whole, 'utf8');
  if (offset >= bytes.length) return { text: '', nextOffset: Math.max(offset, bytes.length), atEnd: true };
  const end = Math.min(bytes.length, offset + limit);
  const { text, length } = utf8Prefix(bytes.subarray(offset, end), end === bytes.length);
  return { text, nextOffset: offset + length, atEnd: offset + length >= bytes.length };
}
