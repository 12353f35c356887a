// activation.wgsl
//
// activate(v, code, alpha): the activations the direct kernels fuse (direct-conv2d, direct-matmul),
// by code: 0 linear, 1 relu, 2 relu6 (min(max(v, 0), 6)), 3 sigmoid 1 / (1 + exp(-v)),
// 4 elu (v >= 0 ? v : exp(v) - 1), 5 leaky relu (v < 0 ? alpha * v : v). relu is a select, not
// max(v, 0): WGSL leaves max(NaN, 0) to the implementation, and a NaN must reach webxai's checks.

fn activate(v: vec4f, code: u32, alpha: f32) -> vec4f {
  switch code {
    case 1u: {
      return select(v, vec4f(0.0), v < vec4f(0.0));
    }
    case 2u: {
      return clamp(v, vec4f(0.0), vec4f(6.0));
    }
    case 3u: {
      return 1.0 / (1.0 + exp(-v));
    }
    case 4u: {
      return select(v, exp(v) - 1.0, v < vec4f(0.0));
    }
    case 5u: {
      return select(v, alpha * v, v < vec4f(0.0));
    }
    default: {
      return v;
    }
  }
}
