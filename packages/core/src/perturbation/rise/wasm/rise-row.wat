;; SPDX-License-Identifier: Apache-2.0
;; RISE's host write of one image row into a batch of 3 channels, NCHW (`row3`, RiseHost.writeRowPlanar3's
;; work) or NHWC (`row3i`, writeRowInterleaved's), see rise-cpu.ts and docs/decisions/0013: for every x of the row
;;   v = f32(t + fy * (b - t))        the row's mask value: riseMasksRef's y interpolation in f64
;;                                    between two x-interpolated grid rows t, b, rounded to f32
;;   out_c = f32(v * x_c) + z         perturbBatchRef with fill 0, channel c of 3: z = -0 where v = 1, else +0
;; The same operations in the same order as the references, so every value is bit for bit theirs
;; (WebAssembly's f32/f64 arithmetic, scalar and SIMD, is IEEE 754 with subnormals). The reference
;; takes x itself where v = 1 (x + -0 = x, also for x = -0) and 0 + f32(v * x) elsewhere (+ +0
;; turns the -0 of a product that is 0 or underflows into +0).
;; Four pixels per step in SIMD (two f64x2 halves for the mask), then one pixel per step for the
;; width % 4 tail. Compiled by packages/core/scripts/compile-wat.mjs into rise-row.generated.ts.
(module
  (import "env" "memory" (memory 0))

  ;; The width % 4 tail's helpers, one pixel at a time. The 4-pixel loops write the same
  ;; operations inline: with calls to 4-pixel helpers they took twice the CPU time in Node 20's V8.
  ;; The mask value of one pixel: f32(t + fy * (b - t)) from the f64 grid rows at $top and $bottom.
  (func $mask1 (param $top i32) (param $bottom i32) (param $fy f64) (result f32)
    (local $t f64)
    (local.set $t (f64.load (local.get $top)))
    (f32.demote_f64
      (f64.add (local.get $t) (f64.mul (local.get $fy) (f64.sub (f64.load (local.get $bottom)) (local.get $t))))))

  ;; z: -0 where v = 1, +0 elsewhere.
  (func $z1 (param $v f32) (result f32)
    (select (f32.const -0) (f32.const 0) (f32.eq (local.get $v) (f32.const 1))))

  ;; f32(v * x) + z for one value at $src into $out.
  (func $write1 (param $out i32) (param $src i32) (param $v f32) (param $z f32)
    (f32.store (local.get $out) (f32.add (f32.mul (local.get $v) (f32.load (local.get $src))) (local.get $z))))

  ;; All addresses are byte offsets into the memory.
  ;; $out: channel 0 of the row in the batch; $src: channel 0 of the row in the image's f32 planes;
  ;; $top, $bottom: the two f64 grid rows; $fy: the row's weight; $width: pixels in the row;
  ;; $plane: bytes from one channel's plane to the next (H * W * 4, in the batch and the image).
  (func (export "row3")
    (param $out i32) (param $src i32) (param $top i32) (param $bottom i32)
    (param $fy f64) (param $width i32) (param $plane i32)
    (local $fy2 v128) (local $t v128) (local $low v128) (local $v v128) (local $z v128)
    (local $v1 f32) (local $z1 f32) (local $end i32)
    (local.set $fy2 (f64x2.splat (local.get $fy)))
    ;; $end: where the whole groups of 4 pixels end in the batch row.
    (local.set $end
      (i32.add (local.get $out) (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2))))
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $out) (local.get $end)))
        ;; v: the mask values of the 4 pixels (0, 1 from the low f64x2 halves, 2, 3 from the high ones)
        (local.set $t (v128.load (local.get $top)))
        (local.set $low
          (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $t)
              (f64x2.mul (local.get $fy2) (f64x2.sub (v128.load (local.get $bottom)) (local.get $t))))))
        (local.set $t (v128.load offset=16 (local.get $top)))
        (local.set $v
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (local.get $low)
            (f32x4.demote_f64x2_zero
              (f64x2.add (local.get $t)
                (f64x2.mul (local.get $fy2) (f64x2.sub (v128.load offset=16 (local.get $bottom)) (local.get $t)))))))
        ;; z: the sign bit alone (-0) in the lanes where v = 1, +0 elsewhere
        (local.set $z
          (v128.and (f32x4.eq (local.get $v) (v128.const f32x4 1 1 1 1))
            (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
        ;; f32(v * x) + z in each plane
        (v128.store (local.get $out)
          (f32x4.add (f32x4.mul (local.get $v) (v128.load (local.get $src))) (local.get $z)))
        (v128.store (i32.add (local.get $out) (local.get $plane))
          (f32x4.add
            (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $src) (local.get $plane))))
            (local.get $z)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $plane) (i32.const 1)))
          (f32x4.add
            (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $src) (i32.shl (local.get $plane) (i32.const 1)))))
            (local.get $z)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $top (i32.add (local.get $top) (i32.const 32)))
        (local.set $bottom (i32.add (local.get $bottom) (i32.const 32)))
        (br $quads)))
    ;; the last width % 4 pixels, one at a time, with the same operations
    (local.set $end
      (i32.add (local.get $end) (i32.shl (i32.and (local.get $width) (i32.const 3)) (i32.const 2))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $v1 (call $mask1 (local.get $top) (local.get $bottom) (local.get $fy)))
        (local.set $z1 (call $z1 (local.get $v1)))
        (call $write1 (local.get $out) (local.get $src) (local.get $v1) (local.get $z1))
        (call $write1 (i32.add (local.get $out) (local.get $plane)) (i32.add (local.get $src) (local.get $plane))
          (local.get $v1) (local.get $z1))
        (call $write1
          (i32.add (local.get $out) (i32.shl (local.get $plane) (i32.const 1)))
          (i32.add (local.get $src) (i32.shl (local.get $plane) (i32.const 1)))
          (local.get $v1) (local.get $z1))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $top (i32.add (local.get $top) (i32.const 8)))
        (local.set $bottom (i32.add (local.get $bottom) (i32.const 8)))
        (br $tail))))

  ;; The same for an NHWC batch: $out and $src are the row's first pixel (RGB interleaved, 12 bytes a
  ;; pixel) in the batch and in the image. 4 pixels are 3 vectors: v0 v0 v0 v1 | v1 v1 v2 v2 | v2 v3 v3 v3.
  (func (export "row3i")
    (param $out i32) (param $src i32) (param $top i32) (param $bottom i32) (param $fy f64) (param $width i32)
    (local $fy2 v128) (local $t v128) (local $low v128) (local $v v128) (local $z v128)
    (local $v1 f32) (local $z1 f32) (local $end i32)
    (local.set $fy2 (f64x2.splat (local.get $fy)))
    (local.set $end (i32.add (local.get $out) (i32.mul (i32.and (local.get $width) (i32.const -4)) (i32.const 12))))
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $out) (local.get $end)))
        ;; v: the mask values of the 4 pixels (0, 1 from the low f64x2 halves, 2, 3 from the high ones)
        (local.set $t (v128.load (local.get $top)))
        (local.set $low
          (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $t)
              (f64x2.mul (local.get $fy2) (f64x2.sub (v128.load (local.get $bottom)) (local.get $t))))))
        (local.set $t (v128.load offset=16 (local.get $top)))
        (local.set $v
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (local.get $low)
            (f32x4.demote_f64x2_zero
              (f64x2.add (local.get $t)
                (f64x2.mul (local.get $fy2) (f64x2.sub (v128.load offset=16 (local.get $bottom)) (local.get $t)))))))
        ;; z: the sign bit alone (-0) in the lanes where v = 1, +0 elsewhere
        (local.set $z
          (v128.and (f32x4.eq (local.get $v) (v128.const f32x4 1 1 1 1))
            (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
        ;; f32(v * x) + z over the 12 interleaved values, v and z spread to v0 v0 v0 v1 | v1 v1 v2 v2 | v2 v3 v3 v3
        (v128.store (local.get $out)
          (f32x4.add
            (f32x4.mul (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)) (v128.load (local.get $src)))
            (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 4 5 6 7 (local.get $z) (local.get $z))))
        (v128.store offset=16 (local.get $out)
          (f32x4.add
            (f32x4.mul (i8x16.shuffle 4 5 6 7 4 5 6 7 8 9 10 11 8 9 10 11 (local.get $v) (local.get $v))
              (v128.load offset=16 (local.get $src)))
            (i8x16.shuffle 4 5 6 7 4 5 6 7 8 9 10 11 8 9 10 11 (local.get $z) (local.get $z))))
        (v128.store offset=32 (local.get $out)
          (f32x4.add
            (f32x4.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v) (local.get $v))
              (v128.load offset=32 (local.get $src)))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $z) (local.get $z))))
        (local.set $out (i32.add (local.get $out) (i32.const 48)))
        (local.set $src (i32.add (local.get $src) (i32.const 48)))
        (local.set $top (i32.add (local.get $top) (i32.const 32)))
        (local.set $bottom (i32.add (local.get $bottom) (i32.const 32)))
        (br $quads)))
    (local.set $end (i32.add (local.get $end) (i32.mul (i32.and (local.get $width) (i32.const 3)) (i32.const 12))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $v1 (call $mask1 (local.get $top) (local.get $bottom) (local.get $fy)))
        (local.set $z1 (call $z1 (local.get $v1)))
        (call $write1 (local.get $out) (local.get $src) (local.get $v1) (local.get $z1))
        (call $write1 (i32.add (local.get $out) (i32.const 4)) (i32.add (local.get $src) (i32.const 4)) (local.get $v1) (local.get $z1))
        (call $write1 (i32.add (local.get $out) (i32.const 8)) (i32.add (local.get $src) (i32.const 8)) (local.get $v1) (local.get $z1))
        (local.set $out (i32.add (local.get $out) (i32.const 12)))
        (local.set $src (i32.add (local.get $src) (i32.const 12)))
        (local.set $top (i32.add (local.get $top) (i32.const 8)))
        (local.set $bottom (i32.add (local.get $bottom) (i32.const 8)))
        (br $tail)))))
