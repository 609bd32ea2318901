/**
 * HTML built so that nothing is printed unescaped by accident: every value interpolated into `html`
 * is escaped, whatever its source, unless it is itself html (made by `html`, or by `raw` from a constant).
 */
import { createHash } from 'node:crypto';
import escape from 'escape-html';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

const render = (v: HtmlValue): string =>
  v instanceof SafeHtml
    ? v.value
    : Array.isArray(v)
      ? v.map(render).join('')
      : v === false || v === null || v === undefined
        ? ''
        : escape(String(v));

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]!) : ''), ''));
}

/** Markup written in this codebase (a constant), never data. */
export const raw = (constant: string) => new SafeHtml(constant);

/** The CSP source that allows exactly this inline script or style. */
export const cspHash = (content: string) => `'sha256-${createHash('sha256').update(content).digest('base64')}'`;
