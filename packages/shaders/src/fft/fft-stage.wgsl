// fft-stage.wgsl
//
// One radix-R stage of a Stockham autosort FFT (decimation in time), on many complex sequences of
// length n at once. Running the stages for the radices of n = R_1 R_2 ... (span = R_1 ... R_{s-1}
// before stage s, 1 at the first) ping-ponging between two buffers gives the DFT in natural order:
//   out[k] = sum_t in[t] e^{sign 2 pi i t k / n}   (sign +1: the inverse DFT without 1/n; -1: forward).
// Stage (radix R, span Ns), for j < n / R: v_r = in[j + r n / R] * w^(r (j mod Ns) n / (Ns R)),
// then the R-point DFT of v goes to out[(j / Ns) Ns R + (j mod Ns) + q Ns], q < R; w = e^{sign 2 pi i / n}.
//
// Layout: complex values split, real part at `address`, imaginary part at `address + imOffset`;
// sequence b, element e is at (b / inner) * outerStride + (b mod inner) + e * elemStride. So one
// kernel runs along the columns of [P, h, 2 W] half spectra ([re | im] per row) and along rows.
// `twiddles` holds w^k, k < n, as (cos, sin) of 2 pi k / n (from f64); sign conjugates them.
// Here the modes SCALE_AT, LOAD_FROM, STORE_TO and BATCH_FASTEST are pipeline constants (fft-io.wgsl
// says why; the uniform's fields of the same names are fft-pair.wgsl's).
// SCALE_AT 1 multiplies each loaded element by scale[(b mod inner) + e * elemStride] (the 1/f
// spectrum scale of the first forward stage), 2 each stored one (the last adjoint stage), 0 none.
// The Fourier parametrisation's FFTs (fft-plan.ts) fold their neighbouring passes into their first
// and last stages; its sizes are `rows` = images * channels * height plane rows of real length
// `width`, its colour mix M = m0..m8 (row-major) and plane `factor`:
// LOAD_FROM (first stage) 1 / 2 reads through the Hermitian extension of half spectra / the
// Hermitian split of packed row pairs, 3 reads the colour-mixed planes (see load());
// STORE_TO (last stage) 1 writes sigmoid(factor * value) of each of the pair's two plane rows to
// the NHWC image [images, height, width, channels], 2 to the padded image [images, height, width, 4]
// (see storeImage()).
//
// Dispatch: one invocation per (sequence, j): count * n / R threads, 1-D folded (linearIndex). No
// workgroup memory, no barriers: a stage per dispatch. The radix is the override constant RADIX
// (<= MAX_RADIX = 16; one pipeline per radix and set of modes), so smallDft's branches fold and the
// guards of the written-out loads and stores (loadElements, storeOutputs) too. SwiftShader unrolls no
// loop, so the butterflies, loads and stores are written out with constant indices, no loops: a loop
// kept the values in memory it addresses lane by lane. Radix 2, 4, 8 and 16 are butterflies (8 = 2 x 4,
// 16 = 4 x 4, their inner twiddles constants), 3, 5 and 7 odd-prime ones (dft3, dft5, dft7: r paired
// with R - r, constant twiddles; until session 11 the plain O(R^2) sum with twiddles read from
// memory), 14 two 7-point ones and a radix-2 butterfly (so 224 = 16 x 14, two stages). Software
// adapters pay mostly per invocation and per dispatch, so fewer, larger stages are cheaper (fftRadices).
// BATCH_FASTEST 1 gives neighbouring invocations neighbouring sequences (the column FFT, whose
// sequences are adjacent in memory), 0 neighbouring elements (the row FFT). Integer division by
// the uniforms goes through an f32 reciprocal (divmod): software adapters run vector integer
// division one lane at a time. Tolerance: fft.kernel.ts.


override WORKGROUP_SIZE: u32;
override RADIX: u32;
override LOAD_FROM: u32;
override STORE_TO: u32;
override SCALE_AT: u32;
override BATCH_FASTEST: u32;
// 1 when the stage is a plan's first (span 1): every twiddle is w^0 (see twiddled).
override FIRST_STAGE: u32;

// fft-io.wgsl's modes: this kernel's pipeline constants (one pipeline per radix and set of modes;
// fft-io.wgsl says why).
fn fftModes() -> FftModes {
  return FftModes(LOAD_FROM, STORE_TO, SCALE_AT);
}

// Params, load, the stores: fft-io.wgsl; smallDft, divmod, MAX_RADIX: fft-butterfly.wgsl; `src` and
// `dst` (planar): fft-src-planar.wgsl, fft-dst-planar.wgsl (includes).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> twiddles: array<vec2f>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;

// Element r of the butterfly: x w^k, k = r step (< n: no reduction of the twiddle index). A first
// stage (FIRST_STAGE 1: span 1, so step is 0) reads w^0 at the constant index 0: the same bits (still
// loaded, not a literal (1, 0) whose products the compiler may fold, dropping signs of zero), but one
// scalar load on SwiftShader, where the index r * step made each of a butterfly's RADIX - 1 twiddle
// reads a lane-by-lane gather (visualizeFeature's four first stages at 128: ~0.85-0.9x; session 17).
fn twiddled(x: vec2f, r: u32, k: u32) -> vec2f {
  let index = select(k, 0u, FIRST_STAGE == 1u);
  return select(cmul(x, twiddle(index)), x, r == 0u);
}

// Where element r (or output q) of a butterfly is: its index in the sequence, its offset `at` in
// memory (index elemStride; a stored image's pixel offset index imagePixelStride()) and its twiddle
// index k = r step. loadElements and storeOutputs go from one element to the next by adding a
// Cursor of steps (advance), not by multiplying by r: SwiftShader runs an integer multiply lane by
// lane at ~3/4 of a shift's cost, an add almost free (session 27's per-op table, ADR 0009). The u32
// sums wrap as the products would: the same indices, the same bits.
struct Cursor {
  index: u32,
  at: u32,
  k: u32,
}

fn advance(c: Cursor, step: Cursor) -> Cursor {
  return Cursor(c.index + step.index, c.at + step.at, c.k + step.k);
}

// One invocation's butterfly: where its sequence lives and where its elements and outputs are.
struct Butterfly {
  base: u32,
  offset: u32,
  // Element 0 (index j; for LOAD_FROM 2 the split row outerBlock n + j, as load() reads it) and the
  // step to the next element (n / R further, twiddle index step further).
  first: Cursor,
  elementStep: Cursor,
  // Output 0 (index (j / span) span R + j mod span) and the step to the next output (span further).
  firstOutput: Cursor,
  outputStep: Cursor,
  // The colour mix's source (LOAD_FROM 3), found once, not per element as load() finds it:
  // SwiftShader hoists nothing (the stage took 1.5x the time; session 15).
  mix: MixSource,
  // The rows whose Hermitian extensions the sequence packs (LOAD_FROM 1) and their columns
  // (halfColumns), found once likewise.
  extended: vec2u,
  columns: u32,
  // imageRowStart of the pair's two plane rows (STORE_TO != 0).
  starts: vec2u,
}

// Element r (a constant at every call) of the butterfly, at `c`, loaded and twiddled.
fn element(bf: Butterfly, r: u32, c: Cursor) -> vec2f {
  if (LOAD_FROM == 1u) {
    return twiddled(extendedPair(bf.extended, bf.columns, c.index), r, c.k);
  }
  if (LOAD_FROM == 2u) {
    return twiddled(splitRow(c.index, bf.offset), r, c.k);
  }
  if (LOAD_FROM == 3u) {
    return twiddled(scaledOnLoad(mixedAt(bf.mix, c.at), bf.offset + c.at), r, c.k);
  }
  return twiddled(loadPlain(bf.base, bf.offset, c.at), r, c.k);
}

// Stores an output of the butterfly at `c`.
fn storeOutput(bf: Butterfly, c: Cursor, value: vec2f) {
  if (STORE_TO != 0u) {
    storeImageAt(bf.starts, c.at, value);
  } else {
    storeSequenceAt(bf.base, bf.offset, c.at, value);
  }
}

// The butterfly's RADIX elements loaded into v, written out with constant indices (the guards fold:
// RADIX is a pipeline constant). SwiftShader unrolls no loop, so a loop over r kept v in memory it
// addresses lane by lane (dft16's reasoning): written out, visualizeFeature's plain stages at 128
// took 0.6-0.8x their looped time in Chromium, its 8 stages 6.2 ms against 7.3 (session 16).
fn loadElements(bf: Butterfly, v: ptr<function, array<vec2f, MAX_RADIX>>) {
  var c = bf.first;
  (*v)[0] = element(bf, 0u, c);
  c = advance(c, bf.elementStep);
  (*v)[1] = element(bf, 1u, c);
  if (RADIX > 2u) { c = advance(c, bf.elementStep); (*v)[2] = element(bf, 2u, c); }
  if (RADIX > 3u) { c = advance(c, bf.elementStep); (*v)[3] = element(bf, 3u, c); }
  if (RADIX > 4u) { c = advance(c, bf.elementStep); (*v)[4] = element(bf, 4u, c); }
  if (RADIX > 5u) { c = advance(c, bf.elementStep); (*v)[5] = element(bf, 5u, c); }
  if (RADIX > 6u) { c = advance(c, bf.elementStep); (*v)[6] = element(bf, 6u, c); }
  if (RADIX > 7u) { c = advance(c, bf.elementStep); (*v)[7] = element(bf, 7u, c); }
  if (RADIX > 8u) { c = advance(c, bf.elementStep); (*v)[8] = element(bf, 8u, c); }
  if (RADIX > 9u) { c = advance(c, bf.elementStep); (*v)[9] = element(bf, 9u, c); }
  if (RADIX > 10u) { c = advance(c, bf.elementStep); (*v)[10] = element(bf, 10u, c); }
  if (RADIX > 11u) { c = advance(c, bf.elementStep); (*v)[11] = element(bf, 11u, c); }
  if (RADIX > 12u) { c = advance(c, bf.elementStep); (*v)[12] = element(bf, 12u, c); }
  if (RADIX > 13u) { c = advance(c, bf.elementStep); (*v)[13] = element(bf, 13u, c); }
  if (RADIX > 14u) { c = advance(c, bf.elementStep); (*v)[14] = element(bf, 14u, c); }
  if (RADIX > 15u) { c = advance(c, bf.elementStep); (*v)[15] = element(bf, 15u, c); }
}

// The butterfly's RADIX outputs stored, written out as loadElements.
fn storeOutputs(bf: Butterfly, v: ptr<function, array<vec2f, MAX_RADIX>>) {
  var c = bf.firstOutput;
  storeOutput(bf, c, (*v)[0]);
  c = advance(c, bf.outputStep);
  storeOutput(bf, c, (*v)[1]);
  if (RADIX > 2u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[2]); }
  if (RADIX > 3u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[3]); }
  if (RADIX > 4u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[4]); }
  if (RADIX > 5u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[5]); }
  if (RADIX > 6u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[6]); }
  if (RADIX > 7u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[7]); }
  if (RADIX > 8u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[8]); }
  if (RADIX > 9u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[9]); }
  if (RADIX > 10u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[10]); }
  if (RADIX > 11u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[11]); }
  if (RADIX > 12u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[12]); }
  if (RADIX > 13u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[13]); }
  if (RADIX > 14u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[14]); }
  if (RADIX > 15u) { c = advance(c, bf.outputStep); storeOutput(bf, c, (*v)[15]); }
}

// The stored offset of an output: index elemStride in a sequence, index imagePixelStride() in an
// image row (STORE_TO != 0).
fn outputStride() -> u32 {
  return select(params.elemStride, imagePixelStride(), STORE_TO != 0u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let perSequence = params.n / RADIX;
  if (t >= params.count * perSequence) {
    return;
  }
  var b: u32;
  var j: u32;
  if (BATCH_FASTEST == 1u) {
    let bj = divmod(t, params.count);
    j = bj.x;
    b = bj.y;
  } else {
    let bj = divmod(t, perSequence);
    b = bj.x;
    j = bj.y;
  }
  let outer = divmod(b, params.inner);
  let offset = outer.y;
  let base = outer.x * params.outerStride + offset;
  let js = divmod(j, params.span);
  let step = js.y * (params.n / (params.span * RADIX));
  let firstIndex = select(j, outer.x * params.n + j, LOAD_FROM == 2u);
  let elementStep = Cursor(perSequence, perSequence * params.elemStride, step);
  let out0 = js.x * params.span * RADIX + js.y;
  let outputStep = Cursor(params.span, params.span * outputStride(), 0u);
  var starts = vec2u(NO_ROW);
  if (STORE_TO != 0u) {
    starts = vec2u(imageRowStart(2u * outer.x), imageRowStart(2u * outer.x + 1u));
  }
  var mix: MixSource;
  if (LOAD_FROM == 3u) {
    mix = mixSource(outer.x, offset);
  }
  var extended: vec2u;
  var columns: u32;
  if (LOAD_FROM == 1u) {
    extended = extendedRows(outer.x);
    columns = halfColumns();
  }
  let bf = Butterfly(base, offset, Cursor(firstIndex, j * params.elemStride, 0u), elementStep,
    Cursor(out0, out0 * outputStride(), 0u), outputStep, mix, extended, columns, starts);
  var v: array<vec2f, MAX_RADIX>;
  loadElements(bf, &v);
  smallDft(&v, RADIX);
  storeOutputs(bf, &v);
}
