// conv-window8.wgsl — the sliding window of the -slide direct-conv kernels (ADR 0006 include; with
// conv-block8.wgsl's 8 x 8 blocks and its outer()).
//
// A block's 8 columns, for a filter FILTER_WIDTH (1 to 5) columns wide and a stride of 1 along
// the columns, read 8 + FILTER_WIDTH - 1 neighbouring cells of one source row: column k's tap at
// shift s (0 <= s < FILTER_WIDTH) reads cell k + s. So each step over a source channel loads those
// cells once (loadWindow) and then, for each shift, the 8 weights of its tap (addWindowTaps),
// instead of 8 cells per tap: on SwiftShader every load of a per-invocation index is a gather done
// lane by lane (conv-block8.wgsl). The cells are three vec4s (cells 0-3, 4-7, 8-11) and the taps
// are written out with constant shifts: SwiftShader unrolls no loop, and an array indexed by a loop
// counter would live in per-invocation memory (ADR 0009). FILTER_WIDTH is an override constant, so
// the taps and cells a narrower filter does not use cost nothing.
//
// The including kernel defines `fn windowSource(at: u32) -> f32` (the read of its source binding,
// x or dy) and declares the `weights` binding the taps read.

// The filter's width, 1 to 5: the number of taps and, beyond 8, of window cells.
override FILTER_WIDTH: u32;
// Whether the taps compute the block's upper 4 channels: false for a result of at most 4 channels
// (an image's gradient), whose upper lanes would all be clamped copies, never stored.
override UPPER_CHANNELS: bool = true;
// Whether the taps compute only the block's channel 0: true for a one-channel result (a grayscale
// image's gradient), whose other three lower lanes would be clamped copies too. Then a tap loads one
// weight instead of four gathered ones and does 8 multiply-adds instead of 32; each stored sum is
// the same products added in the same order as with four channels.
override SINGLE_CHANNEL: bool = false;

// A window's source columns, clamped into the row, and which of them lie inside it (the others
// read as 0): cells 0-3 (a), 4-7 (b) and 8-11 (c).
struct WindowCells {
  colA: vec4u,
  colB: vec4u,
  colC: vec4u,
  inA: vec4<bool>,
  inB: vec4<bool>,
  inC: vec4<bool>,
}

// Where cell 0 of each source row's window starts, in source elements of one channel.
struct WindowAddresses {
  a: vec4u,
  b: vec4u,
  c: vec4u,
}

// The window's values at one source channel.
struct Window {
  a: vec4f,
  b: vec4f,
  c: vec4f,
}

// The 8 x 8 block's sums, conv-block8.wgsl's four matrices.
struct Sums8 {
  loA: mat4x4f,
  hiA: mat4x4f,
  loB: mat4x4f,
  hiB: mat4x4f,
}

// sums += more, matrix by matrix.
fn addSums(sums: ptr<function, Sums8>, more: Sums8) {
  (*sums).loA += more.loA;
  (*sums).hiA += more.hiA;
  (*sums).loB += more.loB;
  (*sums).hiB += more.hiB;
}

// The window whose cell 0 is source column `first` of a row `width` wide.
fn windowCells(first: i32, width: u32) -> WindowCells {
  let colA = vec4i(first) + vec4i(0, 1, 2, 3);
  let colB = colA + vec4i(4);
  let colC = colA + vec4i(8);
  let w = vec4i(i32(width));
  let last = w - 1;
  return WindowCells(
    vec4u(clamp(colA, vec4i(0), last)),
    vec4u(clamp(colB, vec4i(0), last)),
    vec4u(clamp(colC, vec4i(0), last)),
    (colA >= vec4i(0)) & (colA < w),
    (colB >= vec4i(0)) & (colB < w),
    (colC >= vec4i(0)) & (colC < w),
  );
}

// The window's cells in the source row starting at cell `rowBase`, each cell `channels` long.
fn windowAddresses(cells: WindowCells, rowBase: u32, channels: u32) -> WindowAddresses {
  let base = vec4u(rowBase);
  return WindowAddresses((base + cells.colA) * channels, (base + cells.colB) * channels, (base + cells.colC) * channels);
}

fn gather4(at: vec4u) -> vec4f {
  return vec4f(windowSource(at.x), windowSource(at.y), windowSource(at.z), windowSource(at.w));
}

// The window's values at source channel `channel`: cells 0 to 8 + FILTER_WIDTH - 2, the rest 0.
fn loadWindow(at: WindowAddresses, cells: WindowCells, channel: u32) -> Window {
  let a = select(vec4f(0.0), gather4(at.a + channel), cells.inA);
  let b = select(vec4f(0.0), gather4(at.b + channel), cells.inB);
  var c = vec4f(0.0);
  if (FILTER_WIDTH > 1u) {
    c.x = windowSource(at.c.x + channel);
  }
  if (FILTER_WIDTH > 2u) {
    c.y = windowSource(at.c.y + channel);
  }
  if (FILTER_WIDTH > 3u) {
    c.z = windowSource(at.c.z + channel);
  }
  if (FILTER_WIDTH > 4u) {
    c.w = windowSource(at.c.w + channel);
  }
  return Window(a, b, select(vec4f(0.0), c, cells.inC));
}

// Adds one tap: columns 0-3 / 4-7 read cells vA / vB, times the weights at `at` + lo / hi (hi only
// if UPPER_CHANNELS).
fn addTap(sums: ptr<function, Sums8>, vA: vec4f, vB: vec4f, at: u32, lo: vec4u, hi: vec4u) {
  if (SINGLE_CHANNEL) {
    // Channel 0 of each column k (outer()'s column k, lane x), written out with constant indices.
    let w = weights[at + lo.x];
    (*sums).loA[0].x += vA.x * w;
    (*sums).loA[1].x += vA.y * w;
    (*sums).loA[2].x += vA.z * w;
    (*sums).loA[3].x += vA.w * w;
    (*sums).loB[0].x += vB.x * w;
    (*sums).loB[1].x += vB.y * w;
    (*sums).loB[2].x += vB.z * w;
    (*sums).loB[3].x += vB.w * w;
    return;
  }
  let wLo = vec4f(weights[at + lo.x], weights[at + lo.y], weights[at + lo.z], weights[at + lo.w]);
  (*sums).loA += outer(vA, wLo);
  (*sums).loB += outer(vB, wLo);
  if (UPPER_CHANNELS) {
    let wHi = vec4f(weights[at + hi.x], weights[at + hi.y], weights[at + hi.z], weights[at + hi.w]);
    (*sums).hiA += outer(vA, wHi);
    (*sums).hiB += outer(vB, wHi);
  }
}

// Adds the FILTER_WIDTH taps of window `w`, in shift order: shift s reads cells s..s+7 and the
// weights at tap0 + s * tapStep (+ lo / hi).
fn addWindowTaps(sums: ptr<function, Sums8>, w: Window, tap0: u32, tapStep: i32, lo: vec4u, hi: vec4u) {
  addTap(sums, w.a, w.b, tap0, lo, hi);
  if (FILTER_WIDTH > 1u) {
    addTap(sums, vec4f(w.a.yzw, w.b.x), vec4f(w.b.yzw, w.c.x), u32(i32(tap0) + tapStep), lo, hi);
  }
  if (FILTER_WIDTH > 2u) {
    addTap(sums, vec4f(w.a.zw, w.b.xy), vec4f(w.b.zw, w.c.xy), u32(i32(tap0) + 2 * tapStep), lo, hi);
  }
  if (FILTER_WIDTH > 3u) {
    addTap(sums, vec4f(w.a.w, w.b.xyz), vec4f(w.b.w, w.c.xyz), u32(i32(tap0) + 3 * tapStep), lo, hi);
  }
  if (FILTER_WIDTH > 4u) {
    addTap(sums, w.b, w.c, u32(i32(tap0) + 4 * tapStep), lo, hi);
  }
}
