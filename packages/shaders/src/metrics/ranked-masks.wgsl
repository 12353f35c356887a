// ranked-masks.wgsl
//
// Keep-masks for the deletion and insertion curves (Petsiuk et al. 2018, "RISE"; the definition
// pytorch-grad-cam's and RISE's evaluation code use). Pixels are ranked once on the host (rank 0 =
// highest attribution, ties by ascending row-major index); step k = firstStep + b changes the
// top removed(k) = floor(k * pixels / steps) pixels:
//   deletion  (INSERTION = 0): masks[b, p] = 0 (show the fill)  if ranks[p] < removed(k), else 1;
//   insertion (INSERTION = 1): masks[b, p] = 1 (show the image) if ranks[p] < removed(k), else 0.
// Feed the masks to perturb-batch (per-pixel) with the fill image: every channel of a pixel follows
// its mask, and the batch lands straight in the model's input buffer.
//
// Invocation p owns pixel p: it reads its rank once and writes its value in each of the `count`
// masks (stride `pixels`, so a workgroup's stores to one mask are contiguous). One invocation per
// mask value instead cost two u32 divisions per value (mask and pixel index; llvmpipe scalarises
// them) and a rank load per value; here removed(k) is the same for every invocation.
//
// Dispatch: 1-D, one invocation per pixel, ceil(pixels / WORKGROUP_SIZE) workgroups, folded past
// 65,535. k * pixels is computed in u32: the caller keeps steps * pixels < 2^32.
// Numerics: exact (0 or 1).

override WORKGROUP_SIZE: u32;
override INSERTION: u32 = 0u;

struct Params {
  count: u32,     // steps in this batch
  pixels: u32,    // H * W
  steps: u32,     // steps of the whole curve
  firstStep: u32, // k of the batch's first mask
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ranks: array<u32>;
@group(0) @binding(2) var<storage, read_write> masks: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (p >= params.pixels) {
    return;
  }
  let rank = ranks[p];
  let changedValue = select(0.0, 1.0, INSERTION == 1u);
  for (var b = 0u; b < params.count; b++) {
    let removed = ((params.firstStep + b) * params.pixels) / params.steps;
    masks[b * params.pixels + p] = select(1.0 - changedValue, changedValue, rank < removed);
  }
}
