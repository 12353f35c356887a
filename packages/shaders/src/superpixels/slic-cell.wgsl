// slic-cell.wgsl — SLIC's grid cells (a snippet for slic-assign-sum and slic-update).
//
// Cell rows of grid row g start at ceil(g * size / grid), the inverse of the
// floor(y * grid / size): pixel y belongs to grid row g exactly when cellStart(g) <= y < cellStart(g + 1).

fn cellStart(g: u32, size: u32, grid: u32) -> u32 {
  return (g * size + grid - 1u) / grid;
}
