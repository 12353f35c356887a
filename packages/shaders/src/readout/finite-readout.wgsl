// finite-readout.wgsl
//
// What a single-image explanation reads back, in one dispatch (session 15): whether two tensors are
// all finite (the input's NaN/Inf check, the model scores' check) and the values of up to three
// tensors (map peaks, chosen classes, a small result's host copy) behind them, one after another:
//   output[0]                  = 1 if every first[i]  (i < firstCount)  is finite, else 0
//   output[1]                  = 1 if every second[i] (i < secondCount) is finite, else 0 (1 when secondCount = 0)
//   output[2 + i]              = values[i]                              (i < valueCount)
//   output[2 + c0 + i]         = values2[i]                             (i < value2Count, c0 = valueCount)
//   output[2 + c0 + c1 + i]    = values3[i]                             (i < value3Count, c1 = value2Count)
// Each values array holds f32, or i32 when its valuesInt flag is 1 (tfjs-webgpu's int32 -> float32
// Cast keeps the int32 bits and relabels the tensor, so a chosen class read from its buffer is an
// i32): converted. tfjs's IsFinite + All + Cast (+ LogicalNot) + Concat took 4-9 dispatches for the
// same, each ~0.1-0.2 ms on a software GPU, All a tree reduction behind emulated barriers; the three
// values bindings spare the Concat of several parts (session 19).
// Finite is tested on the bits (exponent not all ones), so no float mode can fold it away.
//
// Dispatch: ONE workgroup; its invocations stride over the three arrays and OR their "not finite"
// findings into workgroup atomics (zero-initialised), then invocation 0 writes the flags. Meant for
// inputs of up to ~64k values (the caller checks bigger ones with parallel ops). Exact.

override WORKGROUP_SIZE: u32;

struct Params {
  firstCount: u32,
  secondCount: u32,
  valueCount: u32,
  valuesInt: u32,
  value2Count: u32,
  values2Int: u32,
  value3Count: u32,
  values3Int: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> first: array<f32>;
@group(0) @binding(2) var<storage, read> second: array<f32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
@group(0) @binding(5) var<storage, read> values2: array<f32>;
@group(0) @binding(6) var<storage, read> values3: array<f32>;

var<workgroup> notFinite: array<atomic<u32>, 2>;

fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// A values part's element as f32: its bits as they are, or converted from i32 when the part's int flag is 1.
fn asFloat(v: f32, isInt: u32) -> f32 {
  return select(v, f32(bitcast<i32>(v)), isInt == 1u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  var firstBad = false;
  for (var i = lid.x; i < params.firstCount; i += WORKGROUP_SIZE) {
    firstBad = firstBad || !finite(first[i]);
  }
  var secondBad = false;
  for (var i = lid.x; i < params.secondCount; i += WORKGROUP_SIZE) {
    secondBad = secondBad || !finite(second[i]);
  }
  for (var i = lid.x; i < params.valueCount; i += WORKGROUP_SIZE) {
    output[2u + i] = asFloat(values[i], params.valuesInt);
  }
  let at2 = 2u + params.valueCount;
  for (var i = lid.x; i < params.value2Count; i += WORKGROUP_SIZE) {
    output[at2 + i] = asFloat(values2[i], params.values2Int);
  }
  let at3 = at2 + params.value2Count;
  for (var i = lid.x; i < params.value3Count; i += WORKGROUP_SIZE) {
    output[at3 + i] = asFloat(values3[i], params.values3Int);
  }
  if (firstBad) {
    atomicOr(&notFinite[0], 1u);
  }
  if (secondBad) {
    atomicOr(&notFinite[1], 1u);
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    output[0] = select(1.0, 0.0, atomicLoad(&notFinite[0]) != 0u);
    output[1] = select(1.0, 0.0, atomicLoad(&notFinite[1]) != 0u);
  }
}
