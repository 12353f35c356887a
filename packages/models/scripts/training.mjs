// SPDX-License-Identifier: Apache-2.0
// What the training scripts share: one epoch of fitting with progress lines, and the model's topology and
// weights in memory as tfjs saves them (embedded in a generated TypeScript file: nothing to fetch at load time).

/** The model as it is now: { modelTopology, weightSpecs, weightData } (tfjs's ModelArtifacts). */
export async function modelArtifacts(tf, model) {
  let artifacts;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts;
}

/**
 * One pass over (x, y) in the given order (no shuffling: the scripts shuffle with their own seeded
 * generator), a progress line every `logEvery` batches. Returns tfjs's History.
 */
export function fitOneEpoch(model, x, y, { batchSize, logEvery, seconds }) {
  return model.fit(x, y, {
    epochs: 1,
    batchSize,
    shuffle: false,
    verbose: 0,
    callbacks: {
      onBatchEnd: (b, logs) => {
        if (b % logEvery === 0) console.log(`  batch ${b}: loss ${logs.loss.toFixed(4)} (${seconds()} s)`);
      },
    },
  });
}
