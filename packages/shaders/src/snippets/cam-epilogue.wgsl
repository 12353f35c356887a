// cam-epilogue.wgsl — the CAM epilogue after the weighted channel sum (a snippet; cam-map.wgsl and
// eigen-component.wgsl run it, see cam-map.wgsl for the formulas and the references):
//   foldMapValue   one map position: the non-finite check, the ReLU, the `map` store, the lane's min/max
//   camEpilogue    per image n, after every position is folded: the map's range (min-max tree), `peaks`
//                  (NaN for a non-finite sum), the bilinear upsample to `output`, min-max normalised,
//                  and again after the resize with FINAL_NORMALISE
// The kernel declares the storage bindings `map`, `output`, `peaks` (array<f32>), the override
// constants WORKGROUP_SIZE and FINAL_NORMALISE (bool), and strides its positions p = lid, lid + WG, ...
// One copy, so cam-map and Eigen-CAM's fused epilogue give the same bits for the same map.

// NaN or +-Inf: all exponent bits set (a bit test: float comparisons with NaN may be folded away).
fn isNonFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

// One lane's running state over the map positions it owns.
struct MapFold {
  low: f32,
  high: f32,
  // A non-finite sum this lane saw (NaN or Inf), else 0.
  fault: f32,
}

fn emptyMapFold() -> MapFold {
  return MapFold(F32_MAX, -F32_MAX, 0.0);
}

// A map's layer and output resolution.
struct CamGrid {
  height: u32,
  width: u32,
  outHeight: u32,
  outWidth: u32,
}

// Stores max(0, sum) at map[at] and folds it into this lane's state.
fn foldMapValue(fold: ptr<function, MapFold>, at: u32, sum: f32) {
  var s = sum;
  if (isNonFinite(s)) {
    (*fold).fault = s;
  }
  s = max(s, 0.0);
  map[at] = s;
  (*fold).low = min((*fold).low, s);
  (*fold).high = max((*fold).high, s);
}

// Image n's peak, output and (FINAL_NORMALISE) its second normalisation, from every lane's fold.
// Call it from uniform control flow (barriers), after every lane stored its map positions.
fn camEpilogue(n: u32, lid: u32, fold: MapFold, grid: CamGrid) {
  let range = workgroupMinMax(lid, fold.low, fold.high);
  // The map's maximum, which the min-max tree found anyway: callers read it to tell a blank map
  // (all zero after the ReLU) without a reduction of their own.
  if (lid == 0u) {
    peaks[n] = range.y;
  }
  storageBarrier();
  // After lane 0's write (the barrier orders them): any lane that saw a non-finite sum marks the
  // peak NaN (setting the quiet bit turns an Inf into a NaN; a runtime value, never a constant).
  if (isNonFinite(fold.fault)) {
    peaks[n] = bitcast<f32>(bitcast<u32>(fold.fault) | 0x7fc00000u);
  }
  let lo = range.x;
  // max() guards against the compiler reassociating 1e-7 + (hi - lo) into (1e-7 + hi) - lo, which
  // loses the 1e-7 when hi is large and equals lo (seen on lavapipe: 1 / 0 = Inf, then 0 * Inf = NaN).
  let scale = 1.0 / max(1e-7 + (range.y - lo), 1e-7);
  let pixels = grid.outHeight * grid.outWidth;
  let first = n * pixels;
  var rLow = F32_MAX;
  var rHigh = -F32_MAX;
  for (var q = lid; q < pixels; q += WORKGROUP_SIZE) {
    let r = (upsampled(n, q, grid) - lo) * scale;
    output[first + q] = r;
    rLow = min(rLow, r);
    rHigh = max(rHigh, r);
  }
  if (FINAL_NORMALISE) {
    let rRange = workgroupMinMax(lid, rLow, rHigh);
    let finalLo = rRange.x;
    let finalScale = 1.0 / max(1e-7 + (rRange.y - finalLo), 1e-7);
    // The same pixels this invocation wrote above, so it reads its own writes.
    for (var q = lid; q < pixels; q += WORKGROUP_SIZE) {
      output[first + q] = (output[first + q] - finalLo) * finalScale;
    }
  }
}

// Bilinear (half-pixel) value of image n's map at output pixel q.
fn upsampled(n: u32, q: u32, grid: CamGrid) -> f32 {
  let h = grid.height;
  let w = grid.width;
  let outW = grid.outWidth;
  let sy = halfPixelCoord(q / outW, grid.outHeight, h);
  let sx = halfPixelCoord(q % outW, outW, w);
  let taps = bilinearTaps(sy, sx, w) + vec4u(n * h * w);
  return bilinearMix(vec4f(map[taps.x], map[taps.y], map[taps.z], map[taps.w]), sy, sx);
}
