#!/usr/bin/env python3
"""The include graph follows the floors of tests/include_floors.txt.

Scans every src/**/*.c, *.h, *.cu and include/landsym/*.h, maps each file and each
#include "..." it makes to a floor, and fails, naming file, line and edge, when a file
includes a header of a higher floor, when a file or an included header is on no floor
or on two, or when a quoted include names no file of the tree. <...> includes are the
system's and are not checked.

  include_order.py [ROOT] [--floors FILE]   check the tree at ROOT (default: ..)
  include_order.py --self-test              check the checker on small made-up trees
"""
import argparse
import fnmatch
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_EXT = ('.c', '.h', '.cu')


def read_floors(path):
    """[(level, name, [patterns])] from the floors file, lowest first."""
    floors = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            words = line.split('#', 1)[0].split()
            if not words:
                continue
            if len(words) < 3 or not words[0].isdigit():
                raise SystemExit(f'{path}:{n}: expected "LEVEL NAME PATTERN..."')
            floors.append((int(words[0]), words[1], words[2:]))
    return floors


def floor_of(rel, floors):
    """The one floor whose patterns match rel, or an error message."""
    hits = [(lv, name) for lv, name, pats in floors
            if any(fnmatch.fnmatchcase(rel, p) for p in pats)]
    if len(hits) == 1:
        return hits[0], None
    if not hits:
        return None, f'{rel}: on no floor (add it to the floors file)'
    return None, f'{rel}: on several floors ({", ".join(n for _, n in hits)})'


def scanned_files(root):
    """Repository-relative paths of the files the rule applies to, sorted."""
    out = []
    for top, _, names in os.walk(os.path.join(root, 'src')):
        out += [os.path.join(top, n) for n in names if n.endswith(SOURCE_EXT)]
    inc = os.path.join(root, 'include', 'landsym')
    if os.path.isdir(inc):
        out += [os.path.join(inc, n) for n in os.listdir(inc) if n.endswith('.h')]
    return sorted(os.path.relpath(p, root).replace(os.sep, '/') for p in out)


def resolve(root, rel, name):
    """The tree file a quoted include names, searched as the build does: the including
    file's folder, then src/, then include/. None when it is not in the tree."""
    here = os.path.dirname(rel)
    for base in (here, 'src', 'include'):
        cand = os.path.normpath(os.path.join(base, name)).replace(os.sep, '/')
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def check(root, floors_path):
    """Every violation as 'file:line: message', in file and line order."""
    floors = read_floors(floors_path)
    errors = []
    for rel in scanned_files(root):
        mine, why = floor_of(rel, floors)
        if why:
            errors.append(f'{rel}:1: {why}')
            continue
        with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = resolve(root, rel, m.group(1))
                if target is None:
                    errors.append(f'{rel}:{n}: "{m.group(1)}" is no file of the tree')
                    continue
                theirs, why = floor_of(target, floors)
                if why:
                    errors.append(f'{rel}:{n}: {why}')
                elif theirs[0] > mine[0]:
                    errors.append(f'{rel}:{n}: back edge {mine[1]} ({mine[0]}) -> '
                                  f'{theirs[1]} ({theirs[0]}): includes {target}')
    return errors


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def self_test():
    """A two-floor tree passes; a back edge, a file on no floor and a dangling include
    each fail with the file, the line and the edge named."""
    floors = ('0 low  src/low/*  include/landsym/low.h\n'
              '1 high src/high/* include/landsym/high.h include/landsym/exp_*.h\n')
    with tempfile.TemporaryDirectory() as root:
        fl = os.path.join(root, 'floors.txt')
        write(root, 'floors.txt', floors)
        write(root, 'include/landsym/low.h', '#include <stddef.h>\n')
        write(root, 'include/landsym/high.h', '#include "landsym/low.h"\n')
        write(root, 'include/landsym/exp_new.h', '#include "landsym/high.h"\n')
        write(root, 'src/low/a.c', '#include "landsym/low.h"\n#include "b.h"\n')
        write(root, 'src/low/b.h', '/* private */\n')
        write(root, 'src/high/c.c', '#include "low/b.h"\n#include "landsym/exp_new.h"\n')
        good = check(root, fl)
        assert good == [], good
        write(root, 'src/low/a.c', '#include "landsym/low.h"\n\n#include "landsym/high.h"\n')
        bad = check(root, fl)
        assert bad == ['src/low/a.c:3: back edge low (0) -> high (1): '
                       'includes include/landsym/high.h'], bad
        write(root, 'src/low/a.c', '#include "../high/c.c"\n')
        assert check(root, fl)[0].startswith('src/low/a.c:1: back edge low (0) -> high (1)')
        write(root, 'src/low/a.c', '#include "landsym/none.h"\n')
        assert check(root, fl) == ['src/low/a.c:1: "landsym/none.h" is no file of the tree']
        write(root, 'src/low/a.c', '\n')
        write(root, 'src/other/d.c', '\n')
        assert check(root, fl) == ['src/other/d.c:1: src/other/d.c: on no floor '
                                   '(add it to the floors file)'], check(root, fl)
    print('include_order self-test: ok')
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument('root', nargs='?', default=os.path.dirname(here))
    ap.add_argument('--floors', default=os.path.join(here, 'include_floors.txt'))
    ap.add_argument('--self-test', action='store_true')
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    errors = check(a.root, a.floors)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f'include_order: {len(errors)} violation(s) of {a.floors}', file=sys.stderr)
        return 1
    print(f'include_order: {len(scanned_files(a.root))} files follow {a.floors}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
