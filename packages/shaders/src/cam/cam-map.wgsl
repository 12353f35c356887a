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
// map positions (each a K-term dot product), write map and fold min/max; min-max-tree.wgsl
// gives the image's range. storageBarrier() makes the map visible to the whole workgroup; phase 2
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

// NaN or +-Inf: all exponent bits set (a bit test: float comparisons with NaN may be folded away).
fn isNonFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

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
  let h = params.height;
  let w = params.width;
  let K = params.channels;
  let positions = h * w;
  var low = F32_MAX;
  var high = -F32_MAX;
  // A non-finite sum this invocation saw (NaN or Inf), else 0.
  var fault = 0.0;
  for (var p = lid.x; p < positions; p += WORKGROUP_SIZE) {
    let base = (n * positions + p) * K;
    var s = 0.0;
    for (var k = 0u; k < K; k++) {
      s += weightAt(n, p, k) * act[base + k];
    }
    if (isNonFinite(s)) {
      fault = s;
    }
    s = max(s, 0.0);
    map[n * positions + p] = s;
    low = min(low, s);
    high = max(high, s);
  }
  let range = workgroupMinMax(lid.x, low, high);
  // The map's maximum, which the min-max tree found anyway: callers read it to tell a blank map
  // (all zero after the ReLU) without a reduction of their own.
  if (lid.x == 0u) {
    peaks[n] = range.y;
  }
  storageBarrier();
  // After lane 0's write (the barrier orders them): any lane that saw a non-finite sum marks the
  // peak NaN (setting the quiet bit turns an Inf into a NaN; a runtime value, never a constant).
  if (isNonFinite(fault)) {
    peaks[n] = bitcast<f32>(bitcast<u32>(fault) | 0x7fc00000u);
  }
  let lo = range.x;
  // max() guards against the compiler reassociating 1e-7 + (hi - lo) into (1e-7 + hi) - lo, which
  // loses the 1e-7 when hi is large and equals lo (seen on lavapipe: 1 / 0 = Inf, then 0 * Inf = NaN).
  let scale = 1.0 / max(1e-7 + (range.y - lo), 1e-7);
  let pixels = params.outHeight * params.outWidth;
  let first = n * pixels;
  var rLow = F32_MAX;
  var rHigh = -F32_MAX;
  for (var q = lid.x; q < pixels; q += WORKGROUP_SIZE) {
    let r = (upsampled(n, q) - lo) * scale;
    output[first + q] = r;
    rLow = min(rLow, r);
    rHigh = max(rHigh, r);
  }
  if (FINAL_NORMALISE) {
    let rRange = workgroupMinMax(lid.x, rLow, rHigh);
    let finalLo = rRange.x;
    let finalScale = 1.0 / max(1e-7 + (rRange.y - finalLo), 1e-7);
    // The same pixels this invocation wrote above, so it reads its own writes.
    for (var q = lid.x; q < pixels; q += WORKGROUP_SIZE) {
      output[first + q] = (output[first + q] - finalLo) * finalScale;
    }
  }
}

// Bilinear (half-pixel) value of image n's map at output pixel q.
fn upsampled(n: u32, q: u32) -> f32 {
  let h = params.height;
  let w = params.width;
  let outW = params.outWidth;
  let sy = halfPixelCoord(q / outW, params.outHeight, h);
  let sx = halfPixelCoord(q % outW, outW, w);
  let taps = bilinearTaps(sy, sx, w) + vec4u(n * h * w);
  return bilinearMix(vec4f(map[taps.x], map[taps.y], map[taps.z], map[taps.w]), sy, sx);
}
