// `npm pack` / `npm publish` hooks (prepack, postpack). prepack builds dist/ in a development
// checkout (where the toolchain is installed), then removes the `prepare` script from the
// package.json that goes into the tarball: `prepare` builds the package from its sources on a
// local `npm install`/`npm ci` here, but a user installs the built dist/, and npm 11 lists any
// `prepare` of a dependency installed from a tarball as an install script awaiting approval.
// postpack puts package.json back as it was. Usage: node scripts/pack-manifest.mjs prepack|postpack
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const pkgPath = join(root, 'package.json');
const saved = join(root, '.package.json.prepack');

if (process.argv[2] === 'prepack') {
  if (existsSync(join(root, 'node_modules', 'typescript')) && existsSync(join(root, 'node_modules', 'assemblyscript'))) {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
  if (!existsSync(join(root, 'dist', 'streams', 'cli', 'main.js'))) {
    throw new Error('pack-manifest: dist/ is missing and the toolchain is not installed to build it (npm ci, then npm pack)');
  }
  const text = readFileSync(pkgPath, 'utf8');
  const pkg = JSON.parse(text);
  if (pkg.scripts?.prepare !== undefined) {
    writeFileSync(saved, text);
    delete pkg.scripts.prepare;
    writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  }
} else if (process.argv[2] === 'postpack') {
  if (existsSync(saved)) renameSync(saved, pkgPath);
} else {
  throw new Error('usage: node scripts/pack-manifest.mjs prepack|postpack');
}
