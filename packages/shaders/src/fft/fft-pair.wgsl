// fft-pair.wgsl
//
// A whole two-stage Stockham FFT (n = RADIX1 x RADIX2, both <= MAX_RADIX) in one dispatch: the same
// maths and the same loads and stores as fft-stage.wgsl's two dispatches (first stage radix RADIX1,
// span 1; second radix RADIX2, span RADIX1), with the values between the stages in workgroup
// memory instead of a scratch buffer: half the passes over memory of the 2-D FFTs of
// visualizeFeature's images (128 = 16 x 8, 224 = 16 x 14), which on lavapipe cost more than the
// barrier (0.88x the two stages' time at 128, session 12; the stages are partly compute-bound, so
// not 0.5x). recordFft uses it for every two-stage plan unless told not to.
//   stage 1, invocation j < n / R1: v_r = in[j + r n / R1], R1-point DFT -> mid[j R1 + q]
//   stage 2, invocation j < R1:     v_r = mid[j + r R1] w^(r j), R2-point DFT -> out[j + q R1]
// (fft-stage.wgsl's formulas at span 1 and span R1). `params` are fft-stage's (its span is unused):
// the first stage reads through `loadFrom` (and a scale at 'load'), the second writes through
// `storeTo` (and a scale at 'store'), see fft-io.wgsl.
//
// Dispatch: each workgroup takes SEQUENCES = WORKGROUP_SIZE / PER_SEQUENCE whole sequences,
// PER_SEQUENCE = min(R1, R2) = n / max(R1, R2) invocations each (the smaller stage's count of
// butterflies: the larger stage's loop over max / min of them, so no lane idles at 16 x 8), neighbouring invocations on neighbouring sequences when `batchFastest` is 1 (the
// column FFT) and on neighbouring elements otherwise, as fft-stage.wgsl orders them. Workgroup
// memory: SEQUENCES x n complex values (at most 64 x MAX_RADIX). Tolerance: fft-stage.kernel.ts.

override WORKGROUP_SIZE: u32;

// RADIX1, RADIX2, the bindings and fftModes (the modes from the uniform): fft-pair-stages.wgsl, with
// firstStage and secondStage (reading and writing `mid`, declared below); Params, load, the stores:
// fft-io.wgsl; smallDft, divmod, MAX_RADIX: fft-butterfly.wgsl; `src` and `dst` (planar):
// fft-src-planar.wgsl, fft-dst-planar.wgsl (includes).

// Stage 1's output, SEQUENCES blocks of n values (64 x MAX_RADIX bounds SEQUENCES x n: see the header).
var<workgroup> mid: array<vec2f, 1024>;

// fft-pair-stages.wgsl's call-back: w^k from the `twiddles` binding.
fn stageTwiddle(k: u32) -> vec2f {
  return twiddle(k);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3u) {
  let n = RADIX1 * RADIX2;
  let perSequence = min(RADIX1, RADIX2);
  let sequences = WORKGROUP_SIZE / perSequence;
  var s: u32;
  var j: u32;
  if (params.batchFastest == 1u) {
    s = lid % sequences;
    j = lid / sequences;
  } else {
    s = lid / perSequence;
    j = lid % perSequence;
  }
  let b = linearWorkgroup(wid, nwg) * sequences + s;
  // No early return: every invocation must reach the barrier.
  let inRange = lid < sequences * perSequence && b < params.count;
  let outer = divmod(b, params.inner);
  let offset = outer.y;
  let base = outer.x * params.outerStride + offset;
  let midStart = s * n; // this sequence's values in mid ("block" trips wgsl_reflect's parser)
  if (inRange) {
    for (var k = j; k < n / RADIX1; k += perSequence) {
      firstStage(base, outer.x, offset, midStart, k);
    }
  }
  workgroupBarrier();
  if (!inRange) {
    return;
  }
  var starts = vec2u(0u);
  if (params.storeTo != 0u) {
    starts = vec2u(imageRowStart(2u * outer.x), imageRowStart(2u * outer.x + 1u));
  }
  for (var k = j; k < RADIX1; k += perSequence) {
    secondStage(base, offset, midStart, starts, k);
  }
}
