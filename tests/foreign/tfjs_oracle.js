// The independent oracle for TF.js (and so Keras-config) models: the npm package @tensorflow/tfjs, pure
// JavaScript on its CPU backend, runs each fixture model on its inputs and writes what it predicts.
//
// usage: node tfjs_oracle.js NODE_MODULES DIR NAME...
//   For each NAME, reads DIR/NAME/model.json (+ shards) and DIR/NAME/inputs.json (a list of inputs: token
//   ids, or one feature row per step), and writes DIR/NAME/tfjs_outputs.json: one flat list per input of
//   the model's final output (after its activation), row-major as TF.js returns it.
//
// The architecture comes from the file's Keras config through TF.js's own deserialisation; the weights are
// decoded by tf.io.decodeWeights (float32 and quantized) and set in the order the manifest lists them, as
// Keras' layer order has them, so this checks TF.js's LSTM arithmetic, not our weight-name matching (which
// the C++ loader tests on its own).
'use strict';
const fs = require('fs');
const path = require('path');

const [modules, dir, ...names] = process.argv.slice(2);
if (!modules || !dir || names.length === 0) {
  console.error('usage: node tfjs_oracle.js NODE_MODULES DIR NAME...');
  process.exit(2);
}
let tf;
try {
  tf = require(path.join(modules, '@tensorflow/tfjs'));
} catch (e) {
  console.error(`@tensorflow/tfjs is not installed under ${modules}: run .ci/setup.sh (${e.message})`);
  process.exit(1);
}

// Regularizers only add training losses; TF.js refuses to build a layer with an activity regularizer, so
// the (zero) one in the fixtures' Keras 2 configs is dropped. Nothing at inference changes.
function dropActivityRegularizers(o) {
  if (!o || typeof o !== 'object') return;
  if ('activity_regularizer' in o) o.activity_regularizer = null;
  Object.values(o).forEach(dropActivityRegularizers);
}

async function run(name) {
  const modelDir = path.join(dir, name);
  const modelJson = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  let topology = modelJson.modelTopology;
  if (topology.model_config) topology = topology.model_config;  // the converter wraps it
  dropActivityRegularizers(topology);
  const specs = [];
  const shards = [];
  for (const group of modelJson.weightsManifest) {
    for (const p of group.paths) shards.push(fs.readFileSync(path.join(modelDir, p)));
    specs.push(...group.weights);
  }
  const blob = Buffer.concat(shards);
  const weights = tf.io.decodeWeights(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength), specs);
  const model = await tf.models.modelFromJSON({modelTopology: topology});
  if (model.weights.length !== specs.length)
    throw new Error(`${name}: the model has ${model.weights.length} weights, the file ${specs.length}`);
  model.setWeights(specs.map((s) => weights[s.name]));
  const inputs = JSON.parse(fs.readFileSync(path.join(modelDir, 'inputs.json'), 'utf8'));
  const outputs = inputs.map((x) => {
    const batch = Array.isArray(x[0]) ? tf.tensor3d([x]) : tf.tensor2d([x]);
    const y = model.predict(batch);
    return Array.from(y.dataSync());
  });
  fs.writeFileSync(path.join(modelDir, 'tfjs_outputs.json'), JSON.stringify(outputs));
  console.log(`${name}: ${outputs.length} inputs run by @tensorflow/tfjs ${tf.version.tfjs}`);
}

(async () => {
  for (const name of names) await run(name);
})().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
