// fft-whole.wgsl
//
// fft-pair.wgsl's two-stage Stockham FFT (n = RADIX1 x RADIX2 <= MAX_RADIX^2) with a whole sequence
// per invocation: the same two stages (fft-pair-stages.wgsl), the same loads, twiddles and stores in
// the same order, so the same bits, with the values between the stages in a private array instead
// of workgroup memory, and no barrier. For software adapters that run an invocation per SIMD lane
// (lavapipe): there a round trip through workgroup memory costs what one through a storage buffer
// does (a gather and a lane-by-lane scatter per value; 1.11 vs 1.14 ms of CPU for 262,144 floats,
// session 23), while a private array stays in registers or on the stack. visualizeFeature's four
// 128-point FFTs (4 images x 3 planes) took 0.78-0.91x fft-pair's CPU time, bit for bit. On a
// hardware GPU a sequence per invocation would leave most of it idle: recordFft picks this kernel
// only when asked (FftRun.fusedIn 'invocation').
//
// Dispatch: one invocation per sequence, 1-D folded (linearIndex); `params` are fft-stage's
// (span unused), the modes read from the uniform as fft-pair reads them. Unlike fft-pair, `src` and
// `dst` may hold interleaved complex values (fftWholeKernel's layouts): one vec2 access per value;
// and through the Hermitian extension mirrored butterflies share their loads (mirroredFirstStages).
// The second stage's twiddles are WGSL constants, not loads from `twiddles` (fft-twiddles.ts says
// why; the same values, so the same bits). Tolerance: fft-stage.kernel.ts.

override WORKGROUP_SIZE: u32;

// RADIX1, RADIX2, the bindings and fftModes (the modes from the uniform): fft-pair-stages.wgsl, with
// firstStage and secondStage (reading and writing `mid`, declared below); Params, load, the stores:
// fft-io.wgsl; smallDft, divmod, MAX_RADIX: fft-butterfly.wgsl; `src`, `dst` and outputBase (planar
// or interleaved complex values, as the descriptor's layouts say): fft-src-*.wgsl, fft-dst-*.wgsl;
// stageTwiddle: fft-twiddles-n.wgsl, fftTwiddles(n) as constants (includes).

// The invocation's sequence between the stages (n <= MAX_RADIX^2 values).
var<private> mid: array<vec2f, 256>;

// Stage 1's butterflies k and R2 - k (0 < k, 2 k < R2) through the Hermitian extension (loadFrom
// 1): butterfly k's element r is column x = k + R2 r, and butterfly R2 - k's element R1 - 1 - r is
// column n - x, which reads the same half-spectrum values: one set of loads for both (extendedPairs;
// firstStage would load each twice). The same values into the same DFTs as firstStage's: the same bits.
fn mirroredFirstStages(outerBlock: u32, k: u32) {
  let starts = extendedRows(outerBlock);
  let columns = halfColumns();
  var v: array<vec2f, MAX_RADIX>;
  var mirror: array<vec2f, MAX_RADIX>;
  for (var r = 0u; r < RADIX1; r++) {
    let pair = extendedPairs(starts, columns, k + r * RADIX2);
    v[r] = pair[0];
    mirror[RADIX1 - 1u - r] = pair[1];
  }
  smallDft(&v, RADIX1);
  smallDft(&mirror, RADIX1);
  for (var q = 0u; q < RADIX1; q++) {
    mid[k * RADIX1 + q] = v[q];
    mid[(RADIX2 - k) * RADIX1 + q] = mirror[q];
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let b = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  // The twiddles are constants (stageTwiddle, fft-twiddles-n.wgsl); the binding stays in the layout.
  _ = &twiddles;
  if (b >= params.count) {
    return;
  }
  let outer = divmod(b, params.inner);
  let offset = outer.y;
  let base = outer.x * params.outerStride + offset;
  if (params.loadFrom == 1u) {
    // Butterflies 0 and R2 / 2 (even R2) are their own mirrors; the others go in mirrored pairs.
    firstStage(base, outer.x, offset, 0u, 0u);
    for (var k = 1u; 2u * k < RADIX2; k++) {
      mirroredFirstStages(outer.x, k);
    }
    if (RADIX2 % 2u == 0u) {
      firstStage(base, outer.x, offset, 0u, RADIX2 / 2u);
    }
  } else {
    for (var k = 0u; k < RADIX2; k++) {
      firstStage(base, outer.x, offset, 0u, k);
    }
  }
  var starts = vec2u(0u);
  if (params.storeTo != 0u) {
    starts = vec2u(imageRowStart(2u * outer.x), imageRowStart(2u * outer.x + 1u));
  }
  for (var k = 0u; k < RADIX1; k++) {
    secondStage(outputBase(outer.x, offset), offset, 0u, starts, k);
  }
}
