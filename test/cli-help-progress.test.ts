/**
 * The command line's help, version and progress line, in process: `rangefinder help approx` prints
 * the approx help (not the top-level one), `-v`/`--version` the package's version, and the progress
 * meter shows the percentage and an ETA when the row count is known (over all passes of a
 * multi-pass run), and neither when it is not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APPROX_HELP, COMPRESS_HELP, INSPECT_HELP, MAIN_HELP, MERGE_HELP, SKETCH_HELP } from '../streams/cli/help-text.js';
import { createProgressMeter, formatDuration } from '../streams/cli/progress-meter.js';
import { runCli } from '../streams/cli/run-cli.js';

function capture(): { text: string; write(s: string): boolean; isTTY: boolean } {
  return { text: '', isTTY: false, write(s: string) { this.text += s; return true; } };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture(), stderr = capture();
  const code = await runCli(args, { stdout: stdout as never, stderr: stderr as never });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('rangefinder help and version', () => {
  it('help <command> prints that command\'s help, like <command> --help', async () => {
    for (const [cmd, text] of [['approx', APPROX_HELP], ['inspect', INSPECT_HELP], ['compress', COMPRESS_HELP], ['sketch', SKETCH_HELP], ['merge', MERGE_HELP]] as const) {
      const viaHelp = await cli(['help', cmd]);
      expect(viaHelp).toEqual({ code: 0, stdout: text, stderr: '' });
      expect(viaHelp.stdout).not.toBe(MAIN_HELP);
      expect(await cli([cmd, '--help'])).toEqual({ code: 0, stdout: text, stderr: '' });
    }
    expect(await cli(['help'])).toEqual({ code: 0, stdout: MAIN_HELP, stderr: '' });
    expect(MAIN_HELP).toMatch(/rangefinder help <command>/);
    const bad = await cli(['help', 'approximate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rangefinder: no help on 'approximate': the commands are approx, inspect, compress, sketch and merge/);
  });

  it('-v and --version print the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['-v', '--version']) expect(await cli([flag])).toEqual({ code: 0, stdout: `rangefinder ${version}\n`, stderr: '' });
  });
});

describe('progress meter', () => {
  function meter(totalRows?: number) {
    let t = 0;
    const out = { text: '', columns: 200, write(s: string) { this.text += s; return true; } };
    const m = createProgressMeter(true, totalRows, out, () => t);
    const last = () => out.text.split('\r').filter((x) => x.trim()).at(-1)!.trim();
    return { m, out, last, advance: (ms: number) => { t += ms; } };
  }

  it('shows percentage and ETA when the row count is known', () => {
    const { m, last, advance } = meter(1000);
    advance(1000);
    m.block(250, 250 * 8 * 10);
    expect(last()).toMatch(/^rangefinder: rows 250\/1000 25% {2}ETA 3\.0 s {2}[\d.]+ MB\/s {2}1\.0 s {2}rss \d+ MiB$/);
    advance(1000);
    m.block(250, 250 * 8 * 10);
    expect(last()).toMatch(/rows 500\/1000 50% {2}ETA 2\.0 s/);
    m.done();
  });

  it('counts every pass of a multi-pass run in the percentage and the ETA', () => {
    const { m, last, advance } = meter(1000);
    advance(2000);
    m.block(1000, 8000, 1, 3);
    expect(last()).toMatch(/pass 1\/3 {2}rows 1000\/1000 33%  ETA 4\.0 s/);
    advance(1000);
    m.block(500, 4000, 2, 3);
    expect(last()).toMatch(/pass 2\/3 {2}rows 500\/1000 50%  ETA 3\.0 s/);
  });

  it('shows neither when the row count is unknown (stdin, TCP), and nothing when disabled', () => {
    const { m, last, advance } = meter(undefined);
    advance(500);
    m.block(300, 3000);
    expect(last()).toMatch(/^rangefinder: rows 300 {2}[\d.]+ MB\/s/);
    expect(last()).not.toMatch(/%|ETA/);
    const out = { text: '', write(s: string) { this.text += s; return true; } };
    const off = createProgressMeter(false, 10, out);
    off.block(5, 40);
    off.done();
    expect(out.text).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(3.21)).toBe('3.2 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(245)).toBe('4 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
  });
});
