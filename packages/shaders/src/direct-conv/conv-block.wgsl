// conv-block.wgsl — the work split the direct-depthwise kernels and
// direct-conv2d-backprop-input-narrow share (direct-depthwise-conv2d computes output cells, the
// -backprop-input kernels input-gradient cells; ADR 0006 include). direct-conv2d and
// direct-conv2d-backprop-input use 8 x 8 blocks (conv-block8.wgsl) and only storeCell from here.
//
// An invocation owns a 4 x 4 block: 4 neighbouring cells of one row of the result (columns
// col0..col0+3 of width `width`) times 4 channels (c0..c0+3 of `channels`). Invocation i maps to
// (row, tile of 4 columns, group of 4 channels) with the channel group varying fastest, so
// neighbouring invocations read the same cells and neighbouring weights. `count` is
// rows * ceil(width / 4) * ceil(channels / 4) (the kernels' *Invocations functions in TS).
// Lanes past the row's end or past `channels` compute on clamped, valid addresses and are never
// written.
//
// (Its variables are called `work`: wgsl_reflect, which the seam test parses with, takes `block`
// for a keyword.)
//
// The including kernel defines `fn writeOutput(at: u32, value: f32)`, the write into its result
// binding (y or dx): WGSL cannot pass a storage buffer to a function.

struct ConvBlock {
  // Row of the result the block's cells lie in: b * height + y.
  row: u32,
  // First of the block's 4 columns.
  col0: u32,
  // First of the block's 4 channels.
  c0: u32,
  // Channels c0..c0+3 clamped to channels - 1: an index every lane may read with.
  lanes: vec4u,
}

fn convBlock(i: u32, width: u32, channels: u32) -> ConvBlock {
  let groups = (channels + 3u) / 4u;
  let tiles = (width + 3u) / 4u;
  let c0 = (i % groups) * 4u;
  let rest = i / groups;
  let last = channels - 1u;
  let lanes = vec4u(c0, min(c0 + 1u, last), min(c0 + 2u, last), min(c0 + 3u, last));
  return ConvBlock(rest / tiles, (rest % tiles) * 4u, c0, lanes);
}

// Writes the columns col0..col0+3 of block `work` (values v0..v3, 4 channels each), skipping
// columns past `width` and channels past `channels`.
fn storeBlock(work: ConvBlock, width: u32, channels: u32, v0: vec4f, v1: vec4f, v2: vec4f, v3: vec4f) {
  let cell = work.row * width + work.col0;
  storeCell(cell, work.c0, channels, v0);
  if (work.col0 + 1u < width) {
    storeCell(cell + 1u, work.c0, channels, v1);
  }
  if (work.col0 + 2u < width) {
    storeCell(cell + 2u, work.c0, channels, v2);
  }
  if (work.col0 + 3u < width) {
    storeCell(cell + 3u, work.c0, channels, v3);
  }
}

// Writes channels c0..c0+3 of one cell, skipping channels past `channels`.
fn storeCell(cell: u32, c0: u32, channels: u32, v: vec4f) {
  let at = cell * channels + c0;
  writeOutput(at, v.x);
  if (c0 + 1u < channels) {
    writeOutput(at + 1u, v.y);
  }
  if (c0 + 2u < channels) {
    writeOutput(at + 2u, v.z);
  }
  if (c0 + 3u < channels) {
    writeOutput(at + 3u, v.w);
  }
}
