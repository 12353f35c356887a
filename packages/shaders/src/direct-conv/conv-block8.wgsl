// conv-block8.wgsl — the 8 x 8 work split of direct-conv2d and direct-conv2d-backprop-input (ADR
// 0006 include; includes conv-block.wgsl for storeCell and its writeOutput contract).
//
// An invocation owns 8 neighbouring cells of one row of the result (columns col0..col0+7 of width
// `width`) times 8 channels (c0..c0+7 of `channels`), held as four 4 x 4 matrices: columns 0-3 /
// 4-7 (A / B) x channels c0..c0+3 / c0+4..c0+7 (lo / hi); column k of a matrix holds cell k's 4
// channels. Invocation i maps to (row, tile of 8 columns, group of 8 channels) with the channel
// group varying fastest. `count` is rows * ceil(width / 8) * ceil(channels / 8) (the kernels'
// *Invocations functions in TS). Lanes past the row's end or past `channels` compute on clamped,
// valid addresses and are never written.
//
// Why 8 x 8 and not conv-block.wgsl's 4 x 4: SwiftShader runs every load of a per-invocation
// address lane by lane, so loads, not multiply-adds, bound these kernels there; here each loaded
// value serves 8 multiply-adds instead of 4. Measured in headless Chromium on the MNIST CNN's
// convolutions (ADR 0009, decision 9): 1.5-1.7x faster at batch 1 and 16, also on lavapipe; 4 x 8,
// 8 x 4, 4 x 16, 12 x 8 and 16 x 8 were slower, 8 x 12 and 8 x 16 no faster.
// Loads still dominate (session 16, MNIST conv3 at batch 1 in headless Chromium): without its weight loads
// direct-conv2d took ~1.8 ms instead of ~2.7, without its input loads ~2.3, without both ~1.3 (diagnostic
// variants, wrong results). Wider loads did not help: weights read as array<vec4f> (4 channels per load)
// and inputs as vec4 along the input channels were slower (conv2 / conv3: 1.63-1.80 / 3.2-3.3 ms vs 1.54 /
// 2.95), and the input gradient read as vec4 along the output channels no faster: SwiftShader gathers
// every component of a per-invocation address lane by lane either way.
// Session 17: the -slide kernels (conv-window8.wgsl) load each source cell once per filter row for
// all its columns (0.6-0.85x the time on SwiftShader, slower on lavapipe). Unrolling their channel
// loop by 2 (two windows per loop iteration) was no faster: forward conv2 / conv3 2.11 and 1.70 /
// 3.23 and 3.40 ms vs 2.44 and 1.58 / 3.65 and 3.14 in two runs at load 14-17, the input gradients
// slower in both (conv3 3.06 and 3.08 vs 2.91 and 2.76).

struct ConvBlock8 {
  // Row of the result the block's cells lie in: b * height + y.
  row: u32,
  // First of the block's 8 columns.
  col0: u32,
  // First of the block's 8 channels.
  c0: u32,
  // Channels c0..c0+3 and c0+4..c0+7, clamped to channels - 1: indices every lane may read with.
  lo: vec4u,
  hi: vec4u,
}

fn convBlock8(i: u32, width: u32, channels: u32) -> ConvBlock8 {
  let groups = (channels + 7u) / 8u;
  let tiles = (width + 7u) / 8u;
  let c0 = (i % groups) * 8u;
  let rest = i / groups;
  let last = vec4u(channels - 1u);
  let lo = min(vec4u(c0) + vec4u(0u, 1u, 2u, 3u), last);
  let hi = min(vec4u(c0) + vec4u(4u, 5u, 6u, 7u), last);
  return ConvBlock8(rest / tiles, (rest % tiles) * 8u, c0, lo, hi);
}

// Column k of outer(v, w) is v[k] * w: one term for each of 4 cells x 4 channels.
fn outer(v: vec4f, w: vec4f) -> mat4x4f {
  return mat4x4f(v.x * w, v.y * w, v.z * w, v.w * w);
}

// Writes block `work` (matrices as above), skipping columns past `width` and channels past `channels`.
fn storeBlock8(work: ConvBlock8, width: u32, channels: u32, loA: mat4x4f, hiA: mat4x4f, loB: mat4x4f, hiB: mat4x4f) {
  let cell = work.row * width + work.col0;
  storeColumns(work, cell, work.col0, width, channels, loA, hiA);
  storeColumns(work, cell + 4u, work.col0 + 4u, width, channels, loB, hiB);
}

// Columns col..col+3 (from `cell`) x the block's 8 channels.
fn storeColumns(work: ConvBlock8, cell: u32, col: u32, width: u32, channels: u32, lo: mat4x4f, hi: mat4x4f) {
  for (var k = 0u; k < 4u; k++) {
    if (col + k >= width) {
      return;
    }
    storeCell(cell + k, work.c0, channels, lo[k]);
    if (work.c0 + 4u < channels) {
      storeCell(cell + k, work.c0 + 4u, channels, hi[k]);
    }
  }
}
