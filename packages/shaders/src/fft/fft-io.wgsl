// fft-io.wgsl — the uniform and the loads and stores fft-stage.wgsl and fft-pair.wgsl share (ADR 0006
// include): Params (the sequences' layout, the modes, the Fourier parametrisation's sizes and mix),
// twiddle(k), load() (plain, scaled, or through the Hermitian extension / split / colour mix) and the
// stores (plain, scaled, or sigmoid into the NHWC image, packed or padded to 4 floats per pixel).
// See fft-stage.wgsl for the modes.
// Reads the including kernel's module-scope bindings `params`, `twiddles`, `scale` (naming
// convention, ADR 0006), `src` only through srcComplex and SRC_ROW_UNITS (fft-src-planar.wgsl or
// fft-src-interleaved.wgsl: how the complex values lie in it) and `dst` only through storeFloat
// and storeSequence (fft-dst-planar.wgsl or fft-dst-interleaved.wgsl); divmod comes from
// fft-butterfly.wgsl.

// The modes (fft-stage.wgsl's header) of load() and the stores come from fftModes(), which each
// including kernel defines (ADR 0006's call-back convention). fft-stage.wgsl returns pipeline
// constants: read from the uniform, SwiftShader ran the unused load and store paths in every
// invocation, and visualizeFeature's eight 128-point stages (1 image, 3 channels) took 25-29 ms in
// Chromium, 7.3 ms with the modes constant (session 15, medians of 5). fft-pair.wgsl (lavapipe's
// and hardware GPUs' path) returns the uniform's fields: as constants they took lavapipe's
// pair-recorded Fourier image and adjoint (4 images) to 1.02-1.13x (medians of 15-31, load 4-7).
struct FftModes {
  loadFrom: u32,
  storeTo: u32,
  scaleAt: u32,
}

struct Params {
  n: u32,
  span: u32,
  count: u32,
  inner: u32,
  outerStride: u32,
  elemStride: u32,
  imOffset: u32,
  scaleAt: u32,
  batchFastest: u32,
  sign: f32,
  loadFrom: u32,
  storeTo: u32,
  rows: u32,
  width: u32,
  height: u32,
  channels: u32,
  factor: f32,
  m0: f32,
  m1: f32,
  m2: f32,
  m3: f32,
  m4: f32,
  m5: f32,
  m6: f32,
  m7: f32,
  m8: f32,
  // Where an interleaved `dst` (fft-dst-interleaved.wgsl) holds the sequences, in complex values
  // (outerStride and elemStride are the source's); a planar `dst` uses the source's.
  dstOuterStride: u32,
  dstElemStride: u32,
}

// w^k = e^{sign 2 pi i k / n} for k < n: `twiddles` as vec2s, one load and no index arithmetic
// (SwiftShader runs an integer multiply at ~3/4 of a shift's cost, per lane; session 27).
fn twiddle(k: u32) -> vec2f {
  let w = twiddles[k];
  return vec2f(w.x, params.sign * w.y);
}

// W = width / 2 + 1, the half spectra's columns. Callers find it once per invocation and pass it
// down: SwiftShader hoists nothing, and it runs an integer division (even by a constant 2) lane by lane,
// at ~2 shifts' cost (session 27: three per element took the Hermitian-extension stage's loads).
fn halfColumns() -> u32 {
  return params.width / 2u + 1u;
}

// Where half-spectrum rows 2k and 2k + 1 start in src [rows, W] complex (NO_ROW for a row >= rows): the
// row FFT's sequence k packs their Hermitian extensions. The same for every element of a sequence:
// fft-stage.wgsl finds it once per butterfly (SwiftShader hoists nothing out of its loads).
fn extendedRows(k: u32) -> vec2u {
  let stride = SRC_ROW_UNITS * halfColumns();
  let r = vec2u(2u * k, 2u * k + 1u);
  return select(r * stride, vec2u(NO_ROW), r >= vec2u(params.rows));
}

// The row starting at `start` (extendedRows) extended at the mirrored column v (`mirrored`: x >= W,
// conjugated; `real`: the DC or Nyquist term, imaginary part 0), or 0 for NO_ROW. Branch-free:
// loaded for NO_ROW too (start + v wraps to an index WGSL keeps in bounds) and dropped by the last
// select. On SwiftShader an early return for NO_ROW took the Hermitian-extension stage to ~1.25x,
// and `if (real) { value.y = 0.0; }` to another ~1.15x (session 24, same bits).
fn extendedValue(start: u32, v: u32, real: bool, mirrored: bool, columns: u32) -> vec2f {
  var value = srcComplex(start + v, columns);
  value.y = select(value.y, 0.0, real);
  return select(select(value, vec2f(value.x, -value.y), mirrored), vec2f(0.0), start == NO_ROW);
}

// S_2k + i S_2k+1 at x < width for the rows `starts` (extendedRows(k)) of `columns` = halfColumns():
// hermitianExtendRef's S_r, Nyquist terms real, 0 for r >= rows. v + v, not 2 v: an add is almost
// free on SwiftShader, a multiply is not (session 27).
fn extendedPair(starts: vec2u, columns: u32, x: u32) -> vec2f {
  let mirrored = x >= columns;
  let v = select(x, params.width - x, mirrored);
  let real = v == 0u || v + v == params.width;
  let a = extendedValue(starts.x, v, real, mirrored, columns);
  let b = extendedValue(starts.y, v, real, mirrored, columns);
  return vec2f(a.x - b.y, a.y + b.x);
}

// extendedPair at x and at width - x (0 < x, 2 x != width: a pair of distinct, mirrored columns)
// from one load of each row's value: the mirrored column reads the same values conjugated, and
// conj(conj(a)) = a exactly, so both equal extendedPair's bit for bit. fft-whole's first stage
// shares them between mirrored butterflies.
fn extendedPairs(starts: vec2u, columns: u32, x: u32) -> array<vec2f, 2> {
  let mirrored = x >= columns;
  let v = select(x, params.width - x, mirrored);
  let real = v == 0u || v + v == params.width;
  let a = extendedValue(starts.x, v, real, mirrored, columns);
  let b = extendedValue(starts.y, v, real, mirrored, columns);
  let am = vec2f(a.x, -a.y);
  let bm = vec2f(b.x, -b.y);
  return array<vec2f, 2>(vec2f(a.x - b.y, a.y + b.x), vec2f(am.x - bm.y, am.y + bm.x));
}

// Row r's weighted half spectrum at v < W from the forward DFTs of packed row pairs [ceil(rows / 2),
// width] complex (Z_k = DFT(g_2k + i g_2k+1)): c_v G_r[v] with G_2k = (Z[v] + conj(Z[-v])) / 2,
// G_2k+1 = (Z[v] - conj(Z[-v])) / (2 i), c_v = 1 at the DC and (even width) Nyquist columns, else 2.
// hermitianSplitRef's values. r >> 1 and r & 1, not r / 2 and r % 2: SwiftShader divides lane by
// lane, at ~2 shifts' cost per division (session 27); v + v, not 2 v, likewise (an add is ~free).
fn splitRow(r: u32, v: u32) -> vec2f {
  let w = params.width;
  let at = (r >> 1u) * SRC_ROW_UNITS * w;
  let mirror = select(w - v, 0u, v == 0u);
  let z = srcComplex(at + v, w);
  let zc = srcComplex(at + mirror, w);
  let zm = vec2f(zc.x, -zc.y); // conj(Z[-v])
  let weight = select(0.5, 1.0, v != 0u && v + v != w);
  let difference = z - zm;
  return weight * select(z + zm, vec2f(difference.y, -difference.x), (r & 1u) == 1u);
}

// Column j of the colour mix, (M[0, j], M[1, j], M[2, j]) (j < 3), by selects: a dynamically
// indexed array of the entries would live in private memory (lavapipe: a gather per read).
fn mixColumn(j: u32) -> vec3f {
  if (j == 1u) {
    return vec3f(params.m1, params.m4, params.m7);
  }
  if (j == 2u) {
    return vec3f(params.m2, params.m5, params.m8);
  }
  return vec3f(params.m0, params.m3, params.m6);
}

// Where the colour mix of plane `plane`'s sequence at column `offset` reads: the sequence of its
// image's first plane (the others follow outerStride apart) and the mix column j of plane n c + j.
// The same for every element of a sequence: fft-pair.wgsl and fft-stage.wgsl find it once per
// butterfly, not per load.
struct MixSource {
  first: u32,
  column: vec3f,
}

fn mixSource(plane: u32, offset: u32) -> MixSource {
  if (params.channels == 1u) {
    return MixSource(plane * params.outerStride + offset, vec3f(params.m0, 0.0, 0.0));
  }
  let j = divmod(plane, 3u).y;
  return MixSource((plane - j) * params.outerStride + offset, mixColumn(j));
}

// Element e (address offset) of a colour-mixed sequence (`mix` from mixSource): the half spectra
// are linear in the planes, so mixing them here mixes the planes the FFTs make, sum_i M[i, j]
// spectrum_{n c + i} for plane n c + j (no pass of its own for the mix).
fn mixedAt(mix: MixSource, e: u32) -> vec2f {
  let at = mix.first + e;
  let own = mix.column.x * srcComplex(at, params.imOffset);
  if (params.channels == 1u) {
    return own;
  }
  let second = at + params.outerStride;
  let third = second + params.outerStride;
  return own + mix.column.y * srcComplex(second, params.imOffset) + mix.column.z * srcComplex(third, params.imOffset);
}

// x times scale[at] when the scale applies on load (scaleAt 1).
fn scaledOnLoad(x: vec2f, at: u32) -> vec2f {
  if (fftModes().scaleAt == 1u) {
    return x * scale[at];
  }
  return x;
}

// Element `index` of the sequence at `base` (outer block `outerBlock`, `offset` within it) as this
// stage reads it: from `src` laid out like the sequences (times `scale` when scaleAt is 1), or, for
// the first stage of the Fourier parametrisation's FFTs, through another layout or mix, so that
// neither needs a pass of its own:
//   1: the row FFT's sequence k (inner 1: outerBlock = k) is rows 2k and 2k + 1 extended, packed as
//      S_2k + i S_2k+1 (src: the column FFT's half spectra [rows, 2 W]);
//   2: the column FFT's sequence (plane outerBlock, column offset) at row `index` of the plane is
//      the split of row outerBlock * n + index (src: the forward row FFT's packed pairs);
//   3: the column FFT's sequence (plane outerBlock, column offset) is the colour mix of the image's
//      planes' spectra (then scaled as 0).
fn load(base: u32, outerBlock: u32, offset: u32, index: u32) -> vec2f {
  if (fftModes().loadFrom == 1u) {
    return extendedPair(extendedRows(outerBlock), halfColumns(), index);
  }
  if (fftModes().loadFrom == 2u) {
    return splitRow(outerBlock * params.n + index, offset);
  }
  let e = index * params.elemStride;
  if (fftModes().loadFrom == 3u) {
    return scaledOnLoad(mixedAt(mixSource(outerBlock, offset), e), offset + e);
  }
  return loadPlain(base, offset, e);
}

// load() from `src` laid out like the sequences (loadFrom 0) at element offset e = index elemStride:
// fft-stage.wgsl passes e summed up element by element, not multiplied (see its Cursor).
fn loadPlain(base: u32, offset: u32, e: u32) -> vec2f {
  return scaledOnLoad(srcComplex(base + e, params.imOffset), offset + e);
}

// The floats per pixel of the image the sigmoid store writes: `channels` (storeTo 1, NHWC) or 4
// (storeTo 2, the padded image [images, height, width, 4] whose pixels affine-sample-padded reads
// as one vec4 each; the 4th float, and any past `channels`, is never written).
fn imagePixelStride() -> u32 {
  return select(params.channels, 4u, fftModes().storeTo == 2u);
}

// Where plane row r = (n c + j) height + y starts in the image [images, height, width, stride]
// (its pixel x is imagePixelStride() x further), or NO_ROW for r >= rows (a pair's missing row).
// Once per invocation, not per stored value: the divisions cost more than the stores on lavapipe.
const NO_ROW: u32 = 0xffffffffu;
fn imageRowStart(r: u32) -> u32 {
  if (r >= params.rows) {
    return NO_ROW;
  }
  let py = divmod(r, params.height);
  let nj = divmod(py.x, params.channels);
  return (nj.x * params.height + py.y) * params.width * imagePixelStride() + nj.y;
}

// image[n, y, x, j] = sigmoid(factor * value) at the row start from imageRowStart. The sigmoid is
// computed before the NO_ROW return, not after it: on SwiftShader, exp and the division behind the
// branch took the image-store stage to ~2.5x (session 24, same bits).
// `at` is pixel x's offset in the row, x imagePixelStride().
fn storePixel(start: u32, at: u32, value: f32) {
  let pixel = 1.0 / (1.0 + exp(-params.factor * value));
  if (start == NO_ROW) {
    return;
  }
  storeFloat(start + at, pixel);
}

// The last inverse row FFT stage's value at x of a pair: plane rows 2k (real part, starting at
// `starts.x`) and 2k + 1 (imaginary part, `starts.y`) through the sigmoid into the image (storeTo 1
// or 2; fourierImageRef's last step).
fn storeImage(starts: vec2u, x: u32, value: vec2f) {
  storeImageAt(starts, x * imagePixelStride(), value);
}

// storeImage at pixel offset `at` = x imagePixelStride() (fft-stage.wgsl sums it up, see its Cursor).
fn storeImageAt(starts: vec2u, at: u32, value: vec2f) {
  storePixel(starts.x, at, value.x);
  storePixel(starts.y, at, value.y);
}
