// pixel-grid.wgsl — pixel coordinates of a 1-D dispatch over images or masks (a snippet).

// (y, x) of row-major pixel p in an image `width` wide.
fn pixelYX(p: u32, width: u32) -> vec2u {
  let y = p / width;
  return vec2u(y, p - y * width);
}

// (mask b, y, x) of element i of a [masks][height][width] batch (`pixels` = height * width).
fn maskPixel(i: u32, pixels: u32, width: u32) -> vec3u {
  let b = i / pixels;
  let yx = pixelYX(i - b * pixels, width);
  return vec3u(b, yx.x, yx.y);
}
