// affine-sample-padded.wgsl
//
// affine-sample.wgsl reading a padded source: `src` [n, srcHeight, srcWidth, 4] holds each pixel's
// channels (<= 4) in one vec4 (fft-plan.ts's ImageLayout 'padded'; the lanes past `channels` are
// never written to `output`), so each of the 4 taps is one vector load instead of `channels`
// scalar ones. Same maps, same taps, same fill and the same per-lane arithmetic in the same order:
//   out[n, y, x, ch] = (1 - ty) ((1 - tx) v00 + tx v10) + ty ((1 - tx) v01 + tx v11)   [ch]
// so `output` [n, outHeight, outWidth, channels] (packed NHWC: the model's input) equals
// affine-sample's on the packed image bit for bit. On lavapipe this took 0.74-0.85x of
// affine-sample's time on a visualizeFeature step (4 x 128 x 128 x 3, session 14); its loads were
// ~40% of that time (constants in their place: 0.60x).
//
// Dispatch: one invocation per output pixel (n, y, x), on a grid [ceil(outWidth / WORKGROUP_SIZE),
// outHeight, images] (x from the invocation, y and n from the workgroup), not 1-D: the two integer
// divisions that split a linear index into (n, y, x) cost lavapipe ~17% of this kernel (its vector
// integer division is scalar code) and SwiftShader ~4%; with rows of 128 invocations (one per row
// at 128 wide) it took 0.79x (lavapipe) and 0.90x (SwiftShader) of the 1-D dispatch's time,
// 64 0.81x / 0.94x, 8 x 8 tiles 0.88x / 1.01x (session 27, the same bits). transforms is [n][6] f32. Shapes are uniforms; CHANNELS, when not 0, is the
// uniform's channels as a pipeline constant (affineSamplePaddedFor), so the stores' guards fold.
// Tolerance: affine-sample's (affine-sample.kernel.ts).

override WORKGROUP_SIZE: u32;
// The channels when known at pipeline creation (visualizeFeature's 3), 0: the uniform's.
override CHANNELS: u32 = 0u;

// Params: affine-sample-params.wgsl; affineSource, bilinearFootingAt: affine-map.wgsl (includes).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read> transforms: array<vec2f>; // [n][6] floats as [n][3] vec2 (affine-map.wgsl)
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

// The pixel at (ix, iy) of image n, or the fill outside the image: loaded at the clamped position
// and replaced by a select, not skipped by an early return, whose branch took this kernel to ~1.3x
// on SwiftShader (session 24, same bits).
fn tap(n: u32, iy: i32, ix: i32) -> vec4f {
  let outside = ix < 0 || iy < 0 || ix >= i32(params.srcWidth) || iy >= i32(params.srcHeight);
  let x = u32(clamp(ix, 0, i32(params.srcWidth) - 1));
  let y = u32(clamp(iy, 0, i32(params.srcHeight) - 1));
  return select(src[(n * params.srcHeight + y) * params.srcWidth + x], vec4f(params.fill), outside);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let x = wid.x * WORKGROUP_SIZE + lid.x;
  if (x >= params.outWidth) {
    return;
  }
  let y = wid.y;
  let n = wid.z;
  let i = (n * params.outHeight + y) * params.outWidth + x;
  let at = bilinearFootingAt(n, x, y);
  let ix = at.corner.x;
  let iy = at.corner.y;
  let top = (1.0 - at.t.x) * tap(n, iy, ix) + at.t.x * tap(n, iy, ix + 1);
  let bottom = (1.0 - at.t.x) * tap(n, iy + 1, ix) + at.t.x * tap(n, iy + 1, ix + 1);
  let value = (1.0 - at.t.y) * top + at.t.y * bottom;
  let c = select(params.channels, CHANNELS, CHANNELS != 0u);
  let out = i * c;
  output[out] = value.x;
  if (c > 1u) {
    output[out + 1u] = value.y;
  }
  if (c > 2u) {
    output[out + 2u] = value.z;
  }
  if (c > 3u) {
    output[out + 3u] = value.w;
  }
}
