// heatmap-blend.wgsl
//
// Composes the picture <xai-heatmap> shows from the image, the colormapped attribution (colors, from
// colormap-apply) and the top-k mask (topk-mask), all packed RGBA8 / u32 per pixel, row-major:
//   MODE_OVERLAY       image * (1 - opacity) + heat * opacity (Captum's blended_heat_map,
//                      pytorch-grad-cam's show_cam_on_image)
//   MODE_SIDE_BY_SIDE  output is 2 * width wide: the image on the left, the overlay on the right
//   MODE_HEATMAP_ONLY  heat
//   MODE_MASKED        the image where mask != 0, black elsewhere (only the top-k% pixels)
//   MODE_CONTOUR       the image, with `contourColor` on the mask's contour pixels
//   MODE_BLANK         opaque black: no picture (heatmap-params.wgsl picks it for a map holding NaN or
//                      Inf, so a broken map is never drawn as if it were fine); it writes output[i] for
//                      every dispatched pixel, so the caller sets width to the output width
// The image's alpha is ignored (treated as opaque); output alpha is 255.
//
// Dispatch: 1-D over width * height input pixels, ceil(count / WORKGROUP_SIZE) workgroups folded
// past 65,535; `outWidth` is width (2 * width for side by side).
// Numerics: the blend runs in f32 on unorm values and rounds once (pack4x8unorm); the f64 CPU
// reference may round a half-way case the other way: tolerance 1 (8-bit level) per channel.

override WORKGROUP_SIZE: u32;

const MODE_OVERLAY: u32 = 0u;
const MODE_SIDE_BY_SIDE: u32 = 1u;
const MODE_HEATMAP_ONLY: u32 = 2u;
const MODE_MASKED: u32 = 3u;
const MODE_CONTOUR: u32 = 4u;
const MODE_BLANK: u32 = 5u;

struct Params {
  width: u32,
  height: u32,
  mode: u32,
  opacity: f32,
  contourColor: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<u32>;
@group(0) @binding(2) var<storage, read> colors: array<u32>;
@group(0) @binding(3) var<storage, read> mask: array<u32>;
@group(0) @binding(4) var<storage, read_write> output: array<u32>;

const OPAQUE: u32 = 0xff000000u;

fn overlay(img: u32, heat: u32) -> u32 {
  let a = params.opacity;
  let mixed = unpack4x8unorm(img) * (1.0 - a) + unpack4x8unorm(heat) * a;
  return (pack4x8unorm(mixed) & 0x00ffffffu) | OPAQUE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.width * params.height) {
    return;
  }
  let img = image[i] | OPAQUE;
  let heat = colors[i];
  switch params.mode {
    case MODE_SIDE_BY_SIDE: {
      let x = i % params.width;
      let y = i / params.width;
      output[y * 2u * params.width + x] = img;
      output[y * 2u * params.width + params.width + x] = overlay(img, heat);
    }
    case MODE_HEATMAP_ONLY: {
      output[i] = heat | OPAQUE;
    }
    case MODE_MASKED: {
      output[i] = select(OPAQUE, img, mask[i] != 0u);
    }
    case MODE_CONTOUR: {
      output[i] = select(img, params.contourColor | OPAQUE, mask[i] == 2u);
    }
    case MODE_BLANK: {
      output[i] = OPAQUE;
    }
    default: {
      output[i] = overlay(img, heat);
    }
  }
}
