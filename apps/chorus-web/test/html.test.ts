import { describe, expect, it } from 'vitest';
import { cspHash, html, raw } from '../src/html.ts';

describe('html: every interpolated value is escaped unless it is html', () => {
  it('escapes strings and numbers, in text and in attributes', () => {
    const mode = '<img src=x onerror=alert(1)>';
    expect(html`<td title="${'"quoted" & \'single\''}">${mode}</td><td>${42}</td>`.value).toBe(
      '<td title="&quot;quoted&quot; &amp; &#39;single&#39;">&lt;img src=x onerror=alert(1)&gt;</td><td>42</td>',
    );
  });

  it('keeps nested html and lists as they are, and prints nothing for false, null and undefined', () => {
    const rows = ['<a>', '<b>'].map((v) => html`<li>${v}</li>`);
    expect(html`<ul>${rows}</ul>${false}${null}${undefined}${raw('<hr>')}`.value).toBe(
      '<ul><li>&lt;a&gt;</li><li>&lt;b&gt;</li></ul><hr>',
    );
  });

  it("names an inline script for the CSP by its content's SHA-256", () => {
    expect(cspHash('alert(1)')).toBe("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
  });
});
