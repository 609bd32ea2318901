/**
 * The README and docs/ stay whole: every make target with a description, every env CLI and verify command, every
 * top-level folder and every app and lib is named in them, and every relative link (and its #anchor) leads
 * somewhere.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './sources.ts';

interface Doc {
  /** Relative to the repository. */
  path: string;
  text: string;
}

function docs(): Doc[] {
  const pages = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', ...pages, 'CHANGELOG.md'].map((path) => ({
    path,
    text: readFileSync(join(ROOT, path), 'utf8'),
  }));
}

/** The targets `make help` lists: those with a `## description`. */
export function makeTargets(makefile: string): string[] {
  return [...makefile.matchAll(/^([a-z0-9-]+):[^\n]*## /gm)].map((m) => m[1]!);
}

/** A CLI's commands (the env CLI's, the suites'), as its argument parser declares them. */
export function cliCommands(source: string): string[] {
  return [...source.matchAll(/\.command\('([a-z-]+)'\)/g)].map((m) => m[1]!);
}

/** What the docs do not name: make targets as `make <target>`, commands as a table row `` | `<command>` ``. */
export function unnamed(all: string, targets: string[], commands: string[], folders: string[]): string[] {
  return [
    ...targets.filter((t) => !new RegExp(`\`make ${t}[\` ]`).test(all)).map((t) => `make ${t}`),
    ...commands.filter((c) => !new RegExp(`^\\| \`${c}[\` ]`, 'm').test(all)).map((c) => `the command ${c}`),
    ...folders.filter((f) => !new RegExp(`(^|[\\s\`(])${f.replace('.', '\\.')}/`, 'm').test(all)).map((f) => `${f}/`),
  ];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(text: string): Set<string> {
  const withoutCode = text.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.trim())));
}

/** Relative links (and #anchors) that lead nowhere, as `file: target`. `read` gives a file's text, if it exists. */
export function brokenLinks(pages: Doc[], read: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const page of pages) {
    const withoutCode = page.text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
    for (const [, target] of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [file, anchor] = target!.split('#') as [string, string | undefined];
      const path = file === '' ? page.path : join(dirname(page.path), file);
      const text = file === '' ? page.text : read(path);
      if (text === undefined) broken.push(`${page.path}: ${target} (no file ${path})`);
      else if (anchor && path.endsWith('.md') && !anchors(text).has(anchor))
        broken.push(`${page.path}: ${target} (no heading #${anchor} in ${path})`);
    }
  }
  return broken;
}

/** A file's text, '' for a folder, undefined for nothing. */
const readFromRepo = (path: string) => {
  const stat = statSync(join(ROOT, path), { throwIfNoEntry: false });
  return stat === undefined ? undefined : stat.isDirectory() ? '' : readFileSync(join(ROOT, path), 'utf8');
};

/** The folders at the top of the repository and every app and lib, as git tracks them. */
function folders(): string[] {
  const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  const top = tracked.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!);
  const projects = tracked
    .filter((f) => /^(apps|libs)\/[^/]+\/package\.json$/.test(f))
    .map((f) => f.split('/').slice(0, 2).join('/'));
  return [...new Set([...top, ...projects])].sort();
}

describe('the docs', () => {
  const pages = docs();
  const all = pages.map((p) => p.text).join('\n');
  const targets = makeTargets(readFileSync(join(ROOT, 'Makefile'), 'utf8'));
  const commands = ['deploy/env-cli/src/cli.ts', 'deploy/verify/src/cli.ts'].flatMap((cli) =>
    cliCommands(readFileSync(join(ROOT, cli), 'utf8')),
  );

  it('name every make target, env CLI and verify command, top-level folder, app and lib', () => {
    expect(targets.length).toBeGreaterThan(40);
    expect(commands.length).toBeGreaterThan(20);
    expect(unnamed(all, targets, commands, folders())).toEqual([]);
  });

  it('have no relative link that leads nowhere', () => {
    expect(brokenLinks(pages, readFromRepo)).toEqual([]);
  });

  it('keep the README short: what a newcomer reads first', () => {
    expect(pages[0]!.text.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('say what is missing: a planted target, command and folder, and a broken link and anchor', () => {
    const planted = `${targets.map((t) => `\`make ${t}\``).join(' ')}\n| \`up\` |\n\`apps/\`\n`;
    expect(unnamed(planted, [...targets, 'deploy-moon'], ['up', 'launch'], ['apps', 'moonbase'])).toEqual([
      'make deploy-moon',
      'the command launch',
      'moonbase/',
    ]);
    const page = {
      path: 'docs/a.md',
      text: '# A\n\n## Two words\n\n[ok](#two-words) [gone](b.md) [bad](#three) [x](../Makefile)',
    };
    expect(brokenLinks([page], readFromRepo)).toEqual([
      'docs/a.md: b.md (no file docs/b.md)',
      'docs/a.md: #three (no heading #three in docs/a.md)',
    ]);
  });
});
