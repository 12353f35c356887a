// webxai prelude, prepended to every kernel by runtime/kernel.ts.
//
// A 1-D dispatch of more than 65,535 workgroups is folded into x/y by runtime/dispatch.ts;
// linearIndex undoes the fold. Invocations past the real count exist in the last row, so every
// kernel bounds-checks the index it gets.
fn linearIndex(wid: vec3u, lid: vec3u, nwg: vec3u, workgroupSize: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * workgroupSize + lid.x;
}

// Linear workgroup id of a folded dispatch (for kernels that give each workgroup one task).
fn linearWorkgroup(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.y * nwg.x + wid.x;
}
