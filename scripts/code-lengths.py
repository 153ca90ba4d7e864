#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Function and file lengths of C sources, for reviews of a change.

scripts/code-lengths.py [--rev REV] [--top N] DIR...

Counts the lines of each function (GNU style: the name at the start of
a line, the body between a '{' and a '}' at the start of lines) and of
each file under the DIRs (of the working tree, or of git revision REV),
and prints per DIR the number of functions, their median and longest
length, how many pass 40 and 80 lines, the longest functions and the
longest files."""
import argparse, io, os, re, statistics, subprocess, tarfile

FUNC = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*) \(')


def sources(dirs, rev):
    if rev is None:
        for d in dirs:
            for dp, _, fn in os.walk(d):
                for f in sorted(fn):
                    if f.endswith(('.c', '.h')):
                        p = os.path.join(dp, f)
                        yield p, open(p, encoding='utf-8', errors='replace').read()
        return
    data = subprocess.run(['git', 'archive', rev, '--', *dirs], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.endswith(('.c', '.h')):
                yield m.name, t.extractfile(m).read().decode('utf-8', 'replace')


def functions(text):
    lines = text.split('\n')
    out, name, start = [], None, None
    for i, line in enumerate(lines):
        m = FUNC.match(line)
        if m and not line.rstrip().endswith(';'):
            name = m.group(1)
        elif line.startswith('{') and name:
            start = i
        elif line.startswith('}') and start is not None:
            out.append((name, i - start + 1))
            name, start = None, None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rev')
    ap.add_argument('--top', type=int, default=5)
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    for d in a.dirs:
        funcs, files = [], []
        for path, text in sources([d], a.rev):
            files.append((text.count('\n'), path))
            funcs += [(n, fn, path) for fn, n in functions(text)]
        if not funcs:
            print(f'{d}: no functions')
            continue
        lens = [n for n, _, _ in funcs]
        print(f'{d}: {len(files)} files, {sum(l for l, _ in files)} lines; {len(funcs)} functions, '
              f'median {statistics.median(lens):g}, longest {max(lens)}, '
              f'> 40 lines: {sum(n > 40 for n in lens)}, > 80 lines: {sum(n > 80 for n in lens)}')
        for n, fn, path in sorted(funcs, reverse=True)[:a.top]:
            print(f'    {n:4d}  {fn} ({os.path.basename(path)})')
        for n, path in sorted(files, reverse=True)[:a.top]:
            print(f'    {n:4d}  {path}')


if __name__ == '__main__':
    main()
