// min-max-tree.wgsl — the workgroup-wide minimum and maximum of one value pair per invocation
// (a snippet; includes f32.wgsl for callers that start their running extremes at +-F32_MAX).
//
// A shared-memory tree: log2(WORKGROUP_SIZE) halving steps, each followed by a barrier
// (WORKGROUP_SIZE must be a power of two). min/max are exact, so the result does not depend on the
// order. Call it from uniform control flow (it holds barriers); it ends with a barrier, so the
// arrays may be reused by the next call.

var<workgroup> treeLows: array<f32, WORKGROUP_SIZE>;
var<workgroup> treeHighs: array<f32, WORKGROUP_SIZE>;

// (min over the workgroup of `low`, max over the workgroup of `high`); `lid` is local_invocation_id.x.
fn workgroupMinMax(lid: u32, low: f32, high: f32) -> vec2f {
  treeLows[lid] = low;
  treeHighs[lid] = high;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      treeLows[lid] = min(treeLows[lid], treeLows[lid + stride]);
      treeHighs[lid] = max(treeHighs[lid], treeHighs[lid + stride]);
    }
    workgroupBarrier();
  }
  let range = vec2f(treeLows[0], treeHighs[0]);
  workgroupBarrier(); // every invocation has read the result before the arrays are written again
  return range;
}
