/** A Java properties file as the services read it: `key=value` lines; blank lines and `#` comments skipped. */
export type Properties = Record<string, string>;

export function parseProperties(text: string): Properties {
  const out: Properties = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || !trimmed.includes('=')) continue;
    const at = trimmed.indexOf('=');
    out[trimmed.slice(0, at).trim()] = trimmed.slice(at + 1).trim();
  }
  return out;
}

/** Keys whose values differ between two files, and keys only one has, sorted. */
export function differences(expected: Properties, actual: Properties): string[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return keys.flatMap((k) => {
    if (!(k in actual)) return [`${k}: upstream sets ${expected[k]}, the look-alike leaves it unset`];
    if (!(k in expected)) return [`${k}: the look-alike sets ${actual[k]}, upstream leaves it unset`];
    return expected[k] === actual[k] ? [] : [`${k}: upstream ${expected[k]}, the look-alike ${actual[k]}`];
  });
}
