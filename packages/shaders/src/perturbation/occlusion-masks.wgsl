// occlusion-masks.wgsl
//
// Keep-masks for sliding-window occlusion (Zeiler & Fergus 2014; Captum's `Occlusion`):
// masks[b, y, x] = 0 inside window k = firstWindow + b, 1 elsewhere. Window k sits at
// top = (k / windowsPerRow) * strideY, left = (k % windowsPerRow) * strideX and spans
// windowH x windowW pixels (every channel). Captum's positions: (H - windowH) / strideY + 1
// windows down, (W - windowW) / strideX + 1 across (integer division: a remainder at the
// bottom/right edge is never occluded, as in Captum).
// Feed the masks to perturb-batch (per-pixel) with a constant fill = the baseline value.
//
// Dispatch: 1-D, one invocation per mask value, ceil(count * H * W / WORKGROUP_SIZE) workgroups,
// folded past 65,535. Numerics: exact (0 or 1).

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  height: u32,
  width: u32,
  windowH: u32,
  windowW: u32,
  strideY: u32,
  strideX: u32,
  windowsPerRow: u32,
  firstWindow: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> masks: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let pixels = params.height * params.width;
  if (i >= params.count * pixels) {
    return;
  }
  let bxy = maskPixel(i, pixels, params.width);
  let b = bxy.x;
  let y = bxy.y;
  let x = bxy.z;
  let k = params.firstWindow + b;
  let top = (k / params.windowsPerRow) * params.strideY;
  let left = (k % params.windowsPerRow) * params.strideX;
  let inside = y >= top && y < top + params.windowH && x >= left && x < left + params.windowW;
  masks[i] = select(1.0, 0.0, inside);
}
