// The packages a set of Debian packages needs at run time: the closure of their Depends and Pre-Depends
// in one Packages index (scripts/check-libtorch2.sh uses it to unpack trixie's libtorch 2.x with every
// library it loads, glibc and libstdc++ included, beside the system's own).
//
//   node scripts/debian-closure.mjs PACKAGES_FILE PACKAGE...
//
// Prints one line per package, the roots first then depth-first: `name filename sha256 size`. Of a
// group of alternatives (`a | b`) the first that the index has, as a package or by a package's
// Provides, is taken; version constraints and architecture qualifiers are ignored (the index holds one
// version of each package). Exits 1 naming a root the index lacks, or a dependency none of whose
// alternatives it has.
import { readFileSync } from 'node:fs';

const [file, ...roots] = process.argv.slice(2);
if (file === undefined || roots.length === 0) {
  process.stderr.write('usage: node scripts/debian-closure.mjs PACKAGES_FILE PACKAGE...\n');
  process.exit(2);
}

/** Each stanza's fields (continuation lines joined), keyed by package name; and what provides each virtual name. */
function readIndex(text) {
  const packages = new Map();
  const provides = new Map();
  for (const stanza of text.split(/\n\n+/)) {
    const fields = {};
    let key;
    for (const line of stanza.split('\n')) {
      if (/^\s/.test(line) && key !== undefined) fields[key] += `\n${line}`;
      else {
        const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
        if (m) {
          key = m[1];
          fields[key] = m[2];
        }
      }
    }
    if (fields.Package === undefined) continue;
    packages.set(fields.Package, fields);
    for (const name of (fields.Provides ?? '').split(',').map((p) => p.trim().split(/[\s(]/)[0])) {
      if (name && !provides.has(name)) provides.set(name, fields.Package);
    }
  }
  return { packages, provides };
}

const { packages, provides } = readIndex(readFileSync(file, 'utf8'));
const seen = new Set();
const order = [];

function visit(name, from) {
  if (seen.has(name)) return;
  const fields = packages.get(name);
  if (fields === undefined) {
    process.stderr.write(`${file}: no package ${name}${from ? ` (needed by ${from})` : ''}\n`);
    process.exit(1);
  }
  seen.add(name);
  order.push(fields);
  const groups = [fields['Pre-Depends'], fields.Depends].filter(Boolean).join(',').split(',');
  for (const group of groups) {
    const alternatives = group
      .split('|')
      .map((a) => a.trim().split(/[\s(:]/)[0])
      .filter(Boolean);
    if (alternatives.length === 0) continue;
    const pick = alternatives.map((a) => (packages.has(a) ? a : provides.get(a))).find(Boolean);
    if (pick === undefined) {
      process.stderr.write(`${file}: ${name} depends on "${group.trim()}", which no package of the index provides\n`);
      process.exit(1);
    }
    visit(pick, name);
  }
}

for (const root of roots) visit(root);
for (const f of order) process.stdout.write(`${f.Package} ${f.Filename} ${f.SHA256} ${f.Size}\n`);
