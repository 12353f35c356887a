// perturb-batch.wgsl
//
// Writes a batch of perturbed images straight into the model's input buffer (NHWC):
//   out[outOffset + b, p, c] = mix(fill[p, c], image[p, c], m)   with
//   m = masks[(sampleOffset + b) * maskStride + key(p)],  key(p) = segments[p] (PER_PIXEL = 0,
//   LIME / SHAP / anchors: one mask entry per superpixel) or key(p) = p (PER_PIXEL = 1, occlusion
//   and RISE: one mask entry per pixel).
// m = 1 copies the pixel and m = 0 copies the fill bit-exactly (an all-ones sample reproduces the
// input exactly); other m (RISE's bilinear masks) give fill + m * (image - fill).
// The fill image is what a hidden feature shows: per-segment mean colour (lime's hide_color=None),
// zero, a blurred copy (shap's Image masker) or a constant baseline (Captum's baselines).
//
// Dispatch: 1-D, one invocation per output value, ceil(count * H * W * C / WORKGROUP_SIZE)
// workgroups folded past 65,535. Shapes are uniforms; PER_PIXEL is an override.
// Numerics: exact for m in {0, 1}; otherwise one sub, one mul, one add in f32 (abs 1e-6, rel 1e-6).

override WORKGROUP_SIZE: u32;
override PER_PIXEL: u32 = 0u;

struct Params {
  count: u32,        // images to write
  pixels: u32,       // H * W
  channels: u32,     // C
  maskStride: u32,   // mask entries per sample (segments, or H * W when PER_PIXEL)
  sampleOffset: u32, // first sample (row of masks) of this batch
  outOffset: u32,    // first image slot in `output`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read> fillImage: array<f32>;
@group(0) @binding(3) var<storage, read> segments: array<u32>;
@group(0) @binding(4) var<storage, read> masks: array<f32>;
@group(0) @binding(5) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let perImage = params.pixels * params.channels;
  if (i >= params.count * perImage) {
    return;
  }
  let b = i / perImage;
  let v = i - b * perImage;
  let p = v / params.channels;
  var key = p;
  if (PER_PIXEL == 0u) {
    key = segments[p];
  }
  let m = masks[(params.sampleOffset + b) * params.maskStride + key];
  let x = image[v];
  let f = fillImage[v];
  var value = f + m * (x - f);
  if (m == 1.0) {
    value = x;
  } else if (m == 0.0) {
    value = f;
  }
  output[(params.outOffset + b) * perImage + v] = value;
}
