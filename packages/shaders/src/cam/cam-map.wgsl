// cam-map.wgsl
//
// The CAM epilogue in one pass, per image n (Selvaraju et al., "Grad-CAM", ICCV 2017, eq. 2;
// normalisation and resize as jacobgil/pytorch-grad-cam's base_cam + utils/image.scale_cam_image):
//   map[n, p]    = max(0, sum_k weight(n, p, k) * act[n, p, k])          p < h * w (layer resolution)
//   r[n, y, x]   = (bilinear(map[n], y, x) - min_p map) / (1e-7 + max_p map - min_p map)
//   peaks[n]     = max_p map[n, p]                                           (the blank-map check's value)
//                | NaN when any position's sum (before the ReLU) is NaN or Inf: a model fault the
//                  host reports (the ReLU and the min/max would hide it: WGSL's max(NaN, 0) is
//                  implementation-defined, 0 on lavapipe). The other outputs are then undefined.
//   out[n, y, x] = r                                                       (finalNormalise = 0)
//                | (r - min_yx r) / (1e-7 + max_yx r - min_yx r)           (finalNormalise = 1)
// pytorch-grad-cam normalises twice: each layer's map before the resize (scale_cam_image(cam,
// size)), and the layer average after it (aggregate_multi_layers -> scale_cam_image(result));
// with one layer the second pass stretches the upsampled map to exactly [0, 1] (a half-pixel
// upsample rarely lands on the map's extreme pixels). finalNormalise = 1 fuses that second pass
// for the one-layer case; with several layers the caller averages the r maps and normalises.
// weight(n, p, k) by MODE:
//   0 channel weights  weights[n, k]                      (Grad-CAM, Grad-CAM++, XGrad-CAM, Score-CAM, Ablation-CAM)
//   1 elementwise      weights[n, p, k]                   (HiResCAM: the gradient itself)
//   2 elementwise ReLU max(0, weights[n, p, k])           (LayerCAM)
// act is NHWC ([n][p][k], k fastest). The upsample (bilinear.wgsl's halfPixelCoord) is cv2.resize INTER_LINEAR / half-pixel centres:
// source coordinate (y + 0.5) * h / outH - 0.5, clamped to [0, h - 1] (likewise x), lerped as
// a + (b - a) * t so equal neighbours give exactly that value (a constant map normalises to 0).
// Normalising after the resize equals scale_cam_image's normalise-then-resize (the resize is
// affine in the values) up to rounding.
//
// Dispatch: one workgroup per image (linearWorkgroup). Phase 1: invocations stride over the h*w
// map positions (each a K-term dot product), write map and fold min/max; the rest is
// cam-epilogue.wgsl's camEpilogue (shared with eigen-component): min-max-tree.wgsl gives the image's range. storageBarrier() makes the map visible to the whole workgroup; phase 2
// strides over the outH*outW output pixels and writes r. With FINAL_NORMALISE the same pass folds
// r's range, and a third pass rescales what each invocation wrote itself (its own pixels: no
// barrier; one load instead of recomputing the interpolation's 4 loads).
// Shapes are uniforms; MODE and FINAL_NORMALISE are override constants (one pipeline per variant,
// camMapFor): SwiftShader runs the work of uniform-selected dead branches in every invocation, and
// as uniforms they cost 30% of the kernel at 7x7x64 -> 28x28 (ADR 0009).
// Numerics: each map value is a sequential f32 sum of K products, |err| <= K u sum_k |w a| (u =
// 2^-24); the output adds the lerp and one division. Tolerance (cam-map.kernel.ts) is relative to
// the image's map range: abs 2e-4 on outputs in [0, 1] for K <= 2048 and data of one sign scale.

override WORKGROUP_SIZE: u32;
// 0 channel weights, 1 elementwise, 2 elementwise ReLU (the weighting above).
override MODE: u32 = 0u;
// Whether the output is min-max normalised again after the resize (the one-layer case).
override FINAL_NORMALISE: bool = false;

struct Params {
  images: u32,
  height: u32,
  width: u32,
  channels: u32,
  outHeight: u32,
  outWidth: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> map: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
@group(0) @binding(5) var<storage, read_write> peaks: array<f32>;

fn weightAt(n: u32, p: u32, k: u32) -> f32 {
  let K = params.channels;
  if (MODE == 0u) {
    return weights[n * K + k];
  }
  let g = weights[(n * params.height * params.width + p) * K + k];
  if (MODE == 2u) {
    // A NaN gradient stays NaN (max(NaN, 0) may drop it), so the non-finite check below sees it.
    return select(max(g, 0.0), g, isNonFinite(g));
  }
  return g;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = linearWorkgroup(wid, nwg);
  // n is uniform across the workgroup, so this early return keeps barriers in uniform control flow.
  if (n >= params.images) {
    return;
  }
  let K = params.channels;
  let positions = params.height * params.width;
  var fold = emptyMapFold();
  for (var p = lid.x; p < positions; p += WORKGROUP_SIZE) {
    let base = (n * positions + p) * K;
    var s = 0.0;
    for (var k = 0u; k < K; k++) {
      s += weightAt(n, p, k) * act[base + k];
    }
    foldMapValue(&fold, n * positions + p, s);
  }
  camEpilogue(n, lid.x, fold, CamGrid(params.height, params.width, params.outHeight, params.outWidth));
}
