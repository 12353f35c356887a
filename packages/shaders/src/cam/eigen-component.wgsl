// eigen-component.wgsl
//
// Eigen-CAM's principal component and its CAM maps in one pass per image (Muhammad & Yeasin, IJCNN
// 2020; as jacobgil/pytorch-grad-cam's utils/svd_on_activations.get_2d_projection): the projection of the
// activations x (positions x channels, NHWC: [n][p][k]) onto the first right singular vector of their
// centred form, by power iteration on the smaller Gram matrix instead of an SVD.
//   unit[n]   = 1, or NaN when an entry of M (below) is NaN or Inf (from the activations, or an f32
//               overflow): cam-map's weight, so a non-finite image's peak comes out NaN (the host's
//               ModelError).                                 (work from `at`: one word)
//   mu_k      = (sum_p x[p, k]) / P                         (then P projection words, then from
//                                                             `base` the K channel means)
//   c[p, k]   = x[p, k] - mu_k                              (then P K words: c laid out [l][i], i
//                                                             the Gram matrix's axis, l the other)
//   M         = c c^T (P <= K: d = P) | c^T c (d = K)       (then d x d words, row-major)
//   v         = M's leading unit eigenvector by power iteration (von Mises; Golub & Van Loan,
//               "Matrix Computations", sec. 8.2.1), lambda = v^T M v:
//                 v_0 = hash start vector (deterministic, shared with the CPU reference), normalised
//                 v_{t+1} = (M - s_t I) v_t / ||(M - s_t I) v_t||, until max_i |v_{t+1,i} - v_{t,i}| <
//                 tolerance or `iterations`; s_t a shift from the convergence seen so far (iterate)
//   sign      = -1 when v . s < 0, else 1, with s = c's row sums (P <= K) or ones: SVD's sign is
//               arbitrary; this one makes the projection correlate positively with the channel sum.
//   projection[n, p] = sign sqrt(max(lambda, 0)) v_p (P <= K) | sign sum_k c[p, k] v_k
//   map, output, peaks = cam-map's 'channel' weighting with K = 1 (cam-epilogue.wgsl) of the
//               projection times unit and the SIGN convention's +-1: what eigen.ts ran as a separate
//               cam-map dispatch (one ~0.15 ms dispatch of SwiftShader less, session 32).
// A zero matrix gives the normalised start vector and lambda 0 (a zero projection). For a non-finite
// image only unit and the NaN peak are defined.
//
// Dispatch: one workgroup per image (linearWorkgroup); invocations own means k = lid, lid + WG, ...,
// centred words, 4 x 4 tiles of Gram entries i <= j (written to both halves; each is the same f32
// sum either way), blocks of 4 rows of each product M v and rows i = lid, lid + WG, ... of the
// iteration's other steps, then the positions p = lid, lid + WG, ... of the
// projection and the map (so each reads its own projection writes). Storage writes the next phase reads are ordered by
// storageBarrier(). On SwiftShader every dynamically indexed load is gathered lane by lane, so the
// layouts and tiles are chosen to load fewer words per product (see gramTile, multiply). v lives in
// workgroup memory, so d <= VECTOR_CAPACITY <= 1024 (2 x 4 KiB + reduction scratch). The stop test uses
// reduceTwo()'s uniform results (workgroupUniformLoad), so every invocation leaves the loop together.
// One dispatch instead of tfjs's centring, Gram, sign-vector and non-finite-mark kernels around a
// separate power iteration: on SwiftShader each small dispatch cost ~0.1-0.3 ms (ADR 0009).
// Numerics: means, Gram entries and sign sums are sequential f32 sums (P, K or d terms); the vector
// converges to f32 precision (~1e-6 relative) at rate about lambda_2 / (2 lambda_1 - lambda_2) (the
// shift, see iterate). Tolerance in
// eigen-component.kernel.ts.

override WORKGROUP_SIZE: u32;
// Length of v and y: at least d, at most 1024 (eigenComponentFor picks a power of two >= d). WGSL
// zero-fills workgroup memory at every dispatch; on SwiftShader 2 x 1024 words cost ~0.25 ms of the
// MNIST CNN's ~1 ms (d = 49, session 31).
override VECTOR_CAPACITY: u32 = 1024u;

// Eigen-CAM's sign convention (eigen.ts's EigenSignConvention): 0 'channel-sum' (the sign above),
// 1 'negative-channel-sum' (its opposite), 2 'max-abs' (each image's largest-|value| entry positive).
override SIGN: u32 = 0u;
// Whether the output is min-max normalised again after the resize (cam-epilogue.wgsl; one layer).
override FINAL_NORMALISE: bool = false;

struct Params {
  images: u32,
  height: u32,
  width: u32,
  channels: u32,
  outHeight: u32,
  outWidth: u32,
  iterations: u32,
  tolerance: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
// Per image (eigenComponentWorkSize): unit, the P projection values (channel-sum sign), K channel
// means, the P K centred activations, the d x d Gram matrix; a scratch the caller discards (the tests
// read unit and projection).
@group(0) @binding(2) var<storage, read_write> work: array<f32>;
// cam-epilogue.wgsl's outputs: the layer-resolution map [n][P], the upsampled, normalised output
// [n][outHeight outWidth] and each image's peak [n].
@group(0) @binding(3) var<storage, read_write> map: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
@group(0) @binding(5) var<storage, read_write> peaks: array<f32>;

var<workgroup> v: array<f32, VECTOR_CAPACITY>;
var<workgroup> y: array<f32, VECTOR_CAPACITY>;
var<workgroup> scratch: array<f32, WORKGROUP_SIZE>;
var<workgroup> reduced: f32;
var<workgroup> secondScratch: array<f32, WORKGROUP_SIZE>;
var<workgroup> reducedTwo: vec2f;

// lowbias32 integer hash (C. Wellons); startValue(i) in [-0.5, 0.5), identical in eigenComponentRef.
fn hash(x0: u32) -> u32 {
  var x = x0;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

fn startValue(i: u32) -> f32 {
  return f32(hash(i + 1u) >> 8u) / 16777216.0 - 0.5;
}

// Sum (op 0) or max (op 1) of each invocation's `value` over the workgroup, uniform: invocation 0
// walks the pairwise tree (stride WORKGROUP_SIZE / 2 down to 1, the same additions in the same
// order as a tree with a barrier per level) and the others load its result. Two barriers (the one
// before the walk, and workgroupUniformLoad's) instead of two plus one per level: on SwiftShader a
// barrier resumes every SIMD group of the workgroup (session 29). The uniform result also decides
// the loop's exit, and its barrier orders this reduction's reads of scratch before the next one's writes.
fn reduce(value: f32, op: u32, lid: u32) -> f32 {
  scratch[lid] = value;
  workgroupBarrier();
  if (lid == 0u) {
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
      for (var l = 0u; l < stride; l++) {
        scratch[l] = select(scratch[l] + scratch[l + stride], max(scratch[l], scratch[l + stride]), op == 1u);
      }
    }
    reduced = scratch[0];
  }
  return workgroupUniformLoad(&reduced);
}

// reduce() of two values in one walk: the sum of `first` and the sum (op 0) or max (op 1) of
// `second`, each the same additions in the same order as its own reduce() (the same bits). One
// reduction instead of two saves two barriers and a walk: the power iteration's norm and stop test
// and the Rayleigh quotient and sign share one each (session 34).
fn reduceTwo(first: f32, second: f32, op: u32, lid: u32) -> vec2f {
  scratch[lid] = first;
  secondScratch[lid] = second;
  workgroupBarrier();
  if (lid == 0u) {
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
      for (var l = 0u; l < stride; l++) {
        scratch[l] = scratch[l] + scratch[l + stride];
        let a = secondScratch[l];
        let b = secondScratch[l + stride];
        secondScratch[l] = select(a + b, max(a, b), op == 1u);
      }
    }
    reducedTwo = vec2f(scratch[0], secondScratch[0]);
  }
  return workgroupUniformLoad(&reducedTwo);
}

// Image n's layout: its activations from `first`; in `work` from `at`: unit, the P projection values,
// then from `base` the K channel means, the centred activations laid out [l][i] with i indexing the
// Gram matrix (positions when P <= K, else channels) and l the other axis, then the Gram matrix.
struct Image {
  first: u32,
  at: u32,
  base: u32,
  d: u32,
  inner: u32,
}

fn projectionAt(img: Image) -> u32 {
  return img.at + 1u;
}

fn centredAt(img: Image) -> u32 {
  return img.base + params.channels;
}

fn gramAt(img: Image) -> u32 {
  return centredAt(img) + img.d * img.inner;
}

// Four consecutive words of row l of the centred activations from column `at`, the columns past
// d - 1 read as column d - 1 (their products are computed and dropped).
fn centredQuad(c: u32, l: u32, at: u32, d: u32) -> vec4f {
  let row = c + l * d;
  return vec4f(work[row + at], work[row + min(at + 1u, d - 1u)], work[row + min(at + 2u, d - 1u)], work[row + min(at + 3u, d - 1u)]);
}

// Gram entries (4 ti + r, 4 tj + s), r, s < 4: each the in-order sum over l of the two columns'
// products (the same additions as one entry at a time). A 4 x 4 tile loads 8 words per l for 16
// products: SwiftShader gathers every dynamically indexed load lane by lane.
fn gramTile(c: u32, ti: u32, tj: u32, d: u32, inner: u32) -> mat4x4f {
  var acc = mat4x4f();
  for (var l = 0u; l < inner; l++) {
    let a = centredQuad(c, l, 4u * ti, d);
    let b = centredQuad(c, l, 4u * tj, d);
    acc[0] += a.x * b;
    acc[1] += a.y * b;
    acc[2] += a.z * b;
    acc[3] += a.w * b;
  }
  return acc;
}

// Writes the channel means, the centred activations and the Gram matrix; returns a non-finite entry
// this invocation wrote, else 0.
fn buildGram(img: Image, overPositions: bool, lid: u32) -> f32 {
  let P = params.height * params.width;
  let K = params.channels;
  for (var k = lid; k < K; k += WORKGROUP_SIZE) {
    var s = 0.0;
    for (var p = 0u; p < P; p++) {
      s += act[img.first + p * K + k];
    }
    work[img.base + k] = s / f32(P);
  }
  storageBarrier();
  let c = centredAt(img);
  for (var e = lid; e < P * K; e += WORKGROUP_SIZE) {
    let p = e / K;
    let k = e % K;
    let x = act[img.first + e] - work[img.base + k];
    work[c + select(p * K + k, k * P + p, overPositions)] = x;
  }
  storageBarrier();
  var fault = 0.0;
  let d = img.d;
  let gram = gramAt(img);
  // Tiles (ti, tj), ti <= tj, numbered row by row; invocations take every WORKGROUP_SIZE-th.
  let tiles = (d + 3u) / 4u;
  var ti = 0u;
  var rowStart = 0u;
  for (var t = lid; t < tiles * (tiles + 1u) / 2u; t += WORKGROUP_SIZE) {
    while (t >= rowStart + tiles - ti) {
      rowStart += tiles - ti;
      ti++;
    }
    let tj = ti + (t - rowStart);
    let acc = gramTile(c, ti, tj, d, img.inner);
    for (var r = 0u; r < 4u; r++) {
      for (var q = 0u; q < 4u; q++) {
        let i = 4u * ti + r;
        let j = 4u * tj + q;
        if (i < d && j < d) {
          let s = acc[r][q];
          if (isNonFinite(s)) {
            fault = s;
          }
          work[gram + i * d + j] = s;
          work[gram + j * d + i] = s;
        }
      }
    }
  }
  storageBarrier();
  return fault;
}

// M's entries (first + r, j), r < 4, times v_j, read from row j (M is symmetric and both halves hold
// the same words), the columns past `last` as column `last`.
fn gramProduct(row: u32, first: u32, last: u32, vj: f32) -> vec4f {
  return vec4f(work[row + first], work[row + min(first + 1u, last)], work[row + min(first + 2u, last)], work[row + min(first + 3u, last)]) * vj;
}

// y = (M - shift I) v, 4 consecutive rows at a time (blocks b = lid, lid + WG, ...; rows past d - 1 read row
// d - 1, their sums computed and dropped): each v_j load serves 4 products. Each row is the same
// in-order sum over j as one row at a time (the same bits). SwiftShader gathers every dynamically
// indexed load lane by lane, so this loads 1.25 words per product instead of 2. The rows' owners
// (i = lid, lid + WG, ...) read y after a barrier.
fn multiply(gram: u32, d: u32, shift: f32, lid: u32) {
  let last = d - 1u;
  for (var b = lid; 4u * b < d; b += WORKGROUP_SIZE) {
    let first = 4u * b;
    var s = vec4f();
    var j = 0u;
    // Unrolled by 4 (the same additions in the same order): SwiftShader runs a loop's mask and
    // counter bookkeeping once per 16 products.
    for (; j + 4u <= d; j += 4u) {
      s += gramProduct(gram + j * d, first, last, v[j]);
      s += gramProduct(gram + (j + 1u) * d, first, last, v[j + 1u]);
      s += gramProduct(gram + (j + 2u) * d, first, last, v[j + 2u]);
      s += gramProduct(gram + (j + 3u) * d, first, last, v[j + 3u]);
    }
    for (; j < d; j++) {
      s += gramProduct(gram + j * d, first, last, v[j]);
    }
    for (var r = 0u; r < 4u && first + r < d; r++) {
      y[first + r] = s[r] - shift * v[first + r];
    }
  }
  workgroupBarrier();
}

// Leaves M's leading unit eigenvector in v and (M - shift I) v in y (every invocation past a barrier
// after its last write); returns the shift. Each step multiplies, then one reduction gives the
// product's squared norm and the previous step's largest change, so the stop test comes one
// multiply later than the update it tests (and the Rayleigh quotient reuses this last product).
// Shifted power iteration (Wilkinson, "The Algebraic Eigenvalue Problem", ch. 9): M - shift I has
// M's eigenvectors and converges at rate max(lambda_2 - shift, shift) / (lambda_1 - shift) instead of
// lambda_2 / lambda_1 (M is a Gram matrix: its eigenvalues lie in [0, lambda_1]). From the third step
// the shift is half an estimate of lambda_2: the last two changes' ratio estimates
// (lambda_2 - shift) / (lambda_1 - shift) and the norm lambda_1 - shift. It stays at most 0.45 of
// norm + shift, itself at most lambda_1, so every step still converges whatever the estimates
// (below lambda_1 / 2 every other eigenvalue's shifted magnitude is below lambda_1's). On the MNIST
// CNN's 20 sample digits 499 steps instead of 787 (f64, session 34), closer to the exact vector.
fn iterate(gram: u32, d: u32, lid: u32) -> f32 {
  var part = 0.0;
  for (var i = lid; i < d; i += WORKGROUP_SIZE) {
    v[i] = startValue(i);
    part += v[i] * v[i];
  }
  let startNorm = sqrt(reduce(part, 0u, lid));
  for (var i = lid; i < d; i += WORKGROUP_SIZE) {
    v[i] /= startNorm;
  }
  // v is written by its rows' invocations and read by all: every write is followed by a barrier
  // (this one, or the loop's) before the next reads, and every read by one (the reduction's) before the next writes.
  workgroupBarrier();
  // This invocation's largest |change| of its rows in the last update (none before the first).
  var change = 0.0;
  // The workgroup's largest change one update before the last (0 until there is one).
  var previous = 0.0;
  var shift = 0.0;
  for (var it = 0u; ; it++) {
    multiply(gram, d, shift, lid);
    part = 0.0;
    for (var i = lid; i < d; i += WORKGROUP_SIZE) {
      part += y[i] * y[i];
    }
    let reduced = reduceTwo(part, change, 1u, lid);
    let latest = reduced.y;
    if ((it > 0u && latest < params.tolerance) || it == params.iterations) {
      break;
    }
    let norm = sqrt(reduced.x);
    // A zero (or non-finite) product keeps v: the loop ends with y = M v as computed.
    if (!(norm > 0.0)) {
      break;
    }
    // Uniform: from reduced values only, so every invocation computes the same shift.
    if (previous > 0.0) {
      let ratio = min(latest / previous, 1.0);
      shift = min(0.5 * (shift + ratio * norm), 0.45 * (shift + norm));
    }
    previous = latest;
    change = 0.0;
    for (var i = lid; i < d; i += WORKGROUP_SIZE) {
      let next = y[i] / norm;
      change = max(change, abs(next - v[i]));
      v[i] = next;
    }
    workgroupBarrier();
  }
  return shift;
}

// 'max-abs' (scikit-learn's svd_flip): -1 when the image's largest-|value| projection entry (the
// first such position on ties, as tf.argMax and the CPU path) is negative, else 1. Reads the entries
// this invocation wrote (same stride); the reductions share the rest.
fn maxAbsSign(projection: u32, P: u32, lid: u32) -> f32 {
  var peak = 0.0;
  for (var p = lid; p < P; p += WORKGROUP_SIZE) {
    peak = max(peak, abs(work[projection + p]));
  }
  let largest = reduce(peak, 1u, lid);
  // The first position as a max of -p (exact in f32 below 2^24).
  var first = -f32(P);
  for (var p = lid; p < P; p += WORKGROUP_SIZE) {
    if (abs(work[projection + p]) == largest) {
      first = max(first, -f32(p));
    }
  }
  let at = u32(-reduce(first, 1u, lid));
  // Only the owner adds a non-zero term, so the sum is its value.
  var value = 0.0;
  if (at % WORKGROUP_SIZE == lid) {
    value = work[projection + at];
  }
  return select(1.0, -1.0, reduce(value, 0u, lid) < 0.0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = linearWorkgroup(wid, nwg);
  // n is uniform across the workgroup, so this early return keeps barriers in uniform control flow.
  if (n >= params.images) {
    return;
  }
  let P = params.height * params.width;
  let K = params.channels;
  let overPositions = P <= K;
  let d = select(K, P, overPositions);
  let at = n * (1u + P + K + P * K + d * d);
  let img = Image(n * P * K, at, at + 1u + P, d, select(P, K, overPositions));
  let gram = gramAt(img);
  let c = centredAt(img);
  let l = lid.x;
  // Before buildGram's storage barriers, which order it before a fault's NaN below.
  if (l == 0u) {
    work[img.at] = 1.0;
  }
  let fault = buildGram(img, overPositions, l);
  // After lane 0's write of 1: a lane that saw a non-finite Gram entry marks the image NaN (setting
  // the quiet bit turns an Inf into a NaN; a runtime value, never a constant). The barrier makes the
  // mark visible to every lane's read below.
  if (isNonFinite(fault)) {
    work[img.at] = bitcast<f32>(bitcast<u32>(fault) | 0x7fc00000u);
  }
  storageBarrier();
  let shift = iterate(gram, d, l);
  // Rayleigh quotient v^T M v (iterate leaves y = (M - shift I) v) and sign.
  var part = 0.0;
  var agreement = 0.0;
  for (var i = l; i < d; i += WORKGROUP_SIZE) {
    part += v[i] * (y[i] + shift * v[i]);
    var s = 1.0;
    if (overPositions) {
      s = 0.0;
      for (var k = 0u; k < K; k++) {
        s += work[c + k * P + i];
      }
    }
    agreement += v[i] * s;
  }
  let sums = reduceTwo(part, agreement, 0u, l);
  let value = sums.x;
  let sign = select(1.0, -1.0, sums.y < 0.0);
  let projection = projectionAt(img);
  if (overPositions) {
    let scale = sign * sqrt(max(value, 0.0));
    for (var p = l; p < P; p += WORKGROUP_SIZE) {
      work[projection + p] = scale * v[p];
    }
  } else {
    for (var p = l; p < P; p += WORKGROUP_SIZE) {
      var s = 0.0;
      for (var k = 0u; k < K; k++) {
        s += work[c + p * K + k] * (sign * v[k]);
      }
      work[projection + p] = s;
    }
  }
  // The sign convention flips whole images: x * +-1 is exact, as tf.neg / tf.mul after the kernel were.
  var convention = 1.0;
  if (SIGN == 1u) {
    convention = -1.0;
  } else if (SIGN == 2u) {
    convention = maxAbsSign(projection, P, l);
  }
  // cam-map's 'channel' weighting with K = 1 and weight unit (1, or NaN for a non-finite image: its
  // peak comes out NaN, the host's ModelError): the same sum, then cam-map's epilogue. Each lane reads
  // the projection entries it wrote.
  let weight = work[img.at];
  var fold = emptyMapFold();
  for (var p = l; p < P; p += WORKGROUP_SIZE) {
    var s = 0.0;
    s += weight * (convention * work[projection + p]);
    foldMapValue(&fold, n * P + p, s);
  }
  camEpilogue(n, l, fold, CamGrid(params.height, params.width, params.outHeight, params.outWidth));
}
