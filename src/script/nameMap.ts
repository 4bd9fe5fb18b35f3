/**
 * Name → value records for names that come from user text (statement options, `--set`/`--start`/`eval`
 * arguments, parameters, data passed to the fit API). They have no prototype, so `__proto__`, `constructor`
 * or `toString` are ordinary keys: never inherited from Object.prototype, never the prototype setter.
 */

/** An empty name map, or a copy of `entries`' own properties. */
export function nameMap<T>(entries?: Readonly<Record<string, T>>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  return entries ? Object.assign(out, entries) : out;
}

/** A read-only lookup table (option names, aliases, word lists) that answers only for its own keys. */
export function nameTable<T>(entries: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  return Object.freeze(nameMap(entries));
}
