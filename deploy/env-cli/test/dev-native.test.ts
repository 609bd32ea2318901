import { describe, expect, it } from 'vitest';
import { linuxCpu } from '../src/dev-native.ts';

describe("the CPU of dev's Linux containers", () => {
  it("names the engine's architecture as npm's esbuild packages do", () => {
    expect(linuxCpu('x86_64')).toBe('x64');
    expect(linuxCpu('aarch64')).toBe('arm64');
  });

  it('refuses an architecture with no esbuild build, naming the fix', () => {
    expect(() => linuxCpu('riscv64')).toThrow(/run on riscv64.*run dev on an x86_64 or arm64 engine/);
  });
});
