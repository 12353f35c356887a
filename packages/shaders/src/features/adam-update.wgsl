// adam-update.wgsl — the uniform and the step adam-ascend.wgsl and adam-ascend-quads.wgsl share
// (ADR 0006 include), so the two compute every value alike (vector lanes round as scalars do):
//   m' = beta1 m + (1 - beta1) g,   v' = beta2 v + (1 - beta2) g^2,   x' = x + rate m' / (sqrt(v') + epsilon)
// Params: `count` parameters; `first`, the first one adam-ascend.wgsl updates (the quads' tail);
// `rate` with the bias corrections. Reads the including kernel's module-scope uniform `params`.

struct Params {
  count: u32,
  first: u32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  rate: f32,
}

struct AdamValues {
  x: vec4f,
  m: vec4f,
  v: vec4f,
}

// The step for up to four parameters at once (lane by lane).
fn adamUpdate(x: vec4f, g: vec4f, m: vec4f, v: vec4f) -> AdamValues {
  let m1 = params.beta1 * m + (1.0 - params.beta1) * g;
  let v1 = params.beta2 * v + (1.0 - params.beta2) * g * g;
  return AdamValues(x + params.rate * m1 / (sqrt(v1) + params.epsilon), m1, v1);
}
