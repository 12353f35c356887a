// quickshift-features.wgsl — the colour features of Quick Shift's window loops (a snippet for
// quickshift-density and quickshift-parent; both declare `features`, 3 f32 per pixel).

fn featureAt(q: u32) -> vec3f {
  return vec3f(features[q * 3u], features[q * 3u + 1u], features[q * 3u + 2u]);
}
