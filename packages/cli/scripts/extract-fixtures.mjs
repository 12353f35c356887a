// SPDX-License-Identifier: Apache-2.0
// Writes the committed real-input fixtures in packages/models/fixtures (run once, by hand; tests and
// the demo never download anything):
//   photos/           scikit-image's chelsea, coffee, astronaut and rocket photographs (CC0 / public
//                     domain), from Debian's python3-skimage package, re-encoded smaller with sharp;
//   nsfwjs-mobilenet-v2/  the MobileNetV2 layers model that npm's nsfwjs@4.3.0 ships (MIT), whose
//                     model.json and weights sit base64/JS-wrapped in dist/models/mobilenet_v2/*.min.js;
//   nsfwjs-mobilenet-v2-mid/  the MobileNetV2 graph model (tfjs-converter GraphModel: fused
//                     Conv2D / depthwise nodes with BiasAdd + Relu6) that nsfwjs@4.3.0 ships the same
//                     way in dist/models/mobilenet_v2_mid/*.min.js (two weight shards).
// Usage (from packages/cli):
//   apt-get download python3-skimage && dpkg-deb -x python3-skimage_*.deb /tmp/sk
//   npm pack nsfwjs@4.3.0 && mkdir /tmp/ns && tar xzf nsfwjs-4.3.0.tgz -C /tmp/ns
//   node scripts/extract-fixtures.mjs /tmp/sk /tmp/ns/package
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const [skimageRoot, nsfwjsRoot] = process.argv.slice(2);
if (!skimageRoot || !nsfwjsRoot)
  throw new Error('usage: node scripts/extract-fixtures.mjs <extracted python3-skimage deb> <extracted nsfwjs package>');
const fixtures = new URL('../../models/fixtures/', import.meta.url).pathname;

// Photos: at most 384 px on the long side keeps each well under 100 KB and still larger than 224.
const skData = join(skimageRoot, 'usr/lib/python3/dist-packages/skimage/data');
const photos = join(fixtures, 'photos');
mkdirSync(photos, { recursive: true });
const shrink = (name) => sharp(join(skData, name)).resize(384, 384, { fit: 'inside' });
await shrink('chelsea.png').png({ compressionLevel: 9, palette: false }).toFile(join(photos, 'chelsea.png'));
await shrink('coffee.png').jpeg({ quality: 88 }).toFile(join(photos, 'coffee.jpg'));
await shrink('astronaut.png').jpeg({ quality: 88 }).toFile(join(photos, 'astronaut.jpg'));
await shrink('rocket.jpg').jpeg({ quality: 88 }).toFile(join(photos, 'rocket.jpg'));

// nsfwjs's models: the UMD modules export the model.json object and each weight shard as base64.
const require = createRequire(import.meta.url);
const labels = JSON.stringify(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']) + '\n'; // dist/cjs/nsfw_classes.js's order

/** Unwraps nsfwjs's dist/models/<name>/ into fixtures/<folder>/ (model.json, its .bin shards, labels, LICENSE). */
function extractModel(name, folder, format) {
  const dir = join(nsfwjsRoot, 'dist/models', name);
  const modelJson = require(join(dir, 'model.min.js'));
  const out = join(fixtures, folder);
  mkdirSync(out, { recursive: true });
  const manifest = modelJson.weightsManifest[0];
  manifest.paths = manifest.paths.map((shard) => {
    writeFileSync(join(out, `${shard}.bin`), Buffer.from(require(join(dir, `${shard}.min.js`)), 'base64'));
    return `${shard}.bin`;
  });
  writeFileSync(join(out, 'model.json'), JSON.stringify({ format, ...modelJson }));
  writeFileSync(join(out, 'labels.json'), labels);
  copyFileSync(join(nsfwjsRoot, 'LICENSE'), join(out, 'LICENSE'));
  return out;
}
const layers = extractModel('mobilenet_v2', 'nsfwjs-mobilenet-v2', 'layers-model');
const graph = extractModel('mobilenet_v2_mid', 'nsfwjs-mobilenet-v2-mid', 'graph-model');
console.log(`wrote ${photos}, ${layers} and ${graph}`);
