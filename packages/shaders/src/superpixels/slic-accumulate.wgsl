// slic-accumulate.wgsl
//
// First half of the SLIC update step (Achanta et al. 2012): per grid cell, the sums that the
// cluster means need. Workgroup c owns grid cell c = (gy, gx); its invocations stride over the
// cell's pixels, and each pixel adds (1, local y, local x, L, a, b) to the slot of its cluster
// among the 3 x 3 cells around c (slic-assign only looks that far), with workgroup atomics on u32:
// integer adds, so the result is exact and independent of the order. "Local" coordinates are
// relative to the origin of the cluster's own 3 x 3-cell region, so sums stay small. The
// workgroup then writes partials[c][slot][field] (9 x 6 u32); slic-update adds the 9 partials
// of each cluster. Every image pixel is read once (the old one-workgroup-per-cluster scan read
// each 25 times).
// Cell rows of grid row g start at ceil(g * H / gridH), the inverse of slic-assign's
// floor(y * gridH / H). Overflow: 9 S^2 * max(3 S + 3, 511) < 2^32 (S = cell side), host-checked.
//
// Dispatch: gridH * gridW workgroups, 1-D, folded past 65,535. Numerics: exact.

override WORKGROUP_SIZE: u32;

struct Params {
  height: u32,
  width: u32,
  gridH: u32,
  gridW: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> partials: array<u32>;

var<workgroup> acc: array<atomic<u32>, 54>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let cell = linearWorkgroup(wid, nwg);
  let cells = params.gridH * params.gridW;
  for (var i = lid.x; i < 54u; i += WORKGROUP_SIZE) {
    atomicStore(&acc[i], 0u);
  }
  workgroupBarrier();
  // Uniform per workgroup (no early return before the barriers).
  let valid = cell < cells;
  let gy = select(0u, cell / params.gridW, valid);
  let gx = select(0u, cell - gy * params.gridW, valid);
  let y0 = cellStart(gy, params.height, params.gridH);
  let y1 = select(y0, cellStart(gy + 1u, params.height, params.gridH), valid);
  let x0 = cellStart(gx, params.width, params.gridW);
  let x1 = cellStart(gx + 1u, params.width, params.gridW);
  let rw = x1 - x0;
  let count = (y1 - y0) * rw;
  for (var i = lid.x; i < count; i += WORKGROUP_SIZE) {
    let ly = i / rw;
    let y = y0 + ly;
    let x = x0 + i - ly * rw;
    let p = y * params.width + x;
    let k = labels[p];
    let ky = k / params.gridW;
    let kx = k - ky * params.gridW;
    let slot = ((ky + 1u - gy) * 3u + (kx + 1u - gx)) * 6u;
    let oy = cellStart(max(ky, 1u) - 1u, params.height, params.gridH);
    let ox = cellStart(max(kx, 1u) - 1u, params.width, params.gridW);
    atomicAdd(&acc[slot], 1u);
    atomicAdd(&acc[slot + 1u], y - oy);
    atomicAdd(&acc[slot + 2u], x - ox);
    atomicAdd(&acc[slot + 3u], features[p * 3u]);
    atomicAdd(&acc[slot + 4u], features[p * 3u + 1u]);
    atomicAdd(&acc[slot + 5u], features[p * 3u + 2u]);
  }
  workgroupBarrier();
  if (valid) {
    for (var i = lid.x; i < 54u; i += WORKGROUP_SIZE) {
      partials[cell * 54u + i] = atomicLoad(&acc[i]);
    }
  }
}
