// pool-windows.wgsl: shared by the max-pool gradient kernels (max-pool-grad, max-pool-grad-quads).

// Output indices [first, last) of the windows along one axis that contain input index `at`:
// o * stride - pad <= at <= o * stride - pad + size - 1 (size: the window along that axis).
fn coveringWindows(at: u32, pad: u32, size: u32, stride: u32, outSize: u32) -> vec2u {
  let end = at + pad;                            // >= o * stride
  let start = i32(end) - i32(size) + 1;          // <= o * stride
  let first = u32(max(0, (start + i32(stride) - 1) / i32(stride)));
  return vec2u(first, min(end / stride + 1u, outSize));
}
