/**
 * The same text as `text`, as the engine's one shared copy of it where it keeps one
 * (V8 "internalizes" property names). A string read from a store, cloned or parsed is
 * a copy of its own: comparing it with the literal a caller passes (`can(user,
 * 'checkout')`, `plan === 'vip'`) then compares characters, while two shared copies
 * compare by identity. Called once per string when a feature is compiled, never when
 * evaluating. Engines without this notion get an equal string back.
 */
export function intern(text: string): string {
  // A computed property name is stored internalized; Object.keys hands that copy back.
  // (Array-index-like text is kept as an element instead: the key is then a fresh
  // string, still equal, which is all this promises.)
  return Object.keys({ [text]: true })[0] ?? text;
}
