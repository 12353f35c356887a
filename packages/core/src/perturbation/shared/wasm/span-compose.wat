;; SPDX-License-Identifier: Apache-2.0
;; Host batches of binary masks (partition SHAP's coalitions, superpixel samples), see span-compose.ts:
;; one image of the batch shows the image on a list of pixel spans and the fill everywhere else,
;; written as one bulk copy per span and per gap (memory.copy), each value once ("compose"); or,
;; where the batch still holds a known image, one source copied on the spans that changed only
;; ("copy"). Copies move bytes, so the values are the sources' bits, as perturbBatchRef's (the image
;; where 1, the fill where 0).
;; Compiled by packages/core/scripts/compile-wat.mjs into span-compose.generated.ts.
(module
  (import "env" "memory" (memory 0))

  ;; All addresses are byte offsets into the memory.
  ;; $out, $image, $fill: plane 0 of the batch's image and of the two sources (same layout);
  ;; $spans: $count [start, end) pairs of i32 pixel indices, sorted and disjoint, within [0, $pixels);
  ;; $unit: bytes of one pixel in a plane (4 planar, 4 * channels interleaved);
  ;; $planes: planes to write (channels planar, 1 interleaved), $plane bytes apart.
  (func (export "compose")
    (param $out i32) (param $image i32) (param $fill i32) (param $spans i32) (param $count i32)
    (param $pixels i32) (param $unit i32) (param $planes i32) (param $plane i32)
    (local $at i32) (local $pair i32) (local $end i32) (local $start i32) (local $stop i32)
    (local.set $end (i32.add (local.get $spans) (i32.shl (local.get $count) (i32.const 3))))
    (block $planes_done
      (loop $next_plane
        (br_if $planes_done (i32.eqz (local.get $planes)))
        (local.set $at (i32.const 0))
        (local.set $pair (local.get $spans))
        (block $spans_done
          (loop $next_span
            (br_if $spans_done (i32.ge_u (local.get $pair) (local.get $end)))
            (local.set $start (i32.mul (i32.load (local.get $pair)) (local.get $unit)))
            (local.set $stop (i32.mul (i32.load offset=4 (local.get $pair)) (local.get $unit)))
            ;; the fill on the gap before the span, then the image on the span
            (memory.copy
              (i32.add (local.get $out) (local.get $at))
              (i32.add (local.get $fill) (local.get $at))
              (i32.sub (local.get $start) (local.get $at)))
            (memory.copy
              (i32.add (local.get $out) (local.get $start))
              (i32.add (local.get $image) (local.get $start))
              (i32.sub (local.get $stop) (local.get $start)))
            (local.set $at (local.get $stop))
            (local.set $pair (i32.add (local.get $pair) (i32.const 8)))
            (br $next_span)))
        ;; the fill after the last span
        (memory.copy
          (i32.add (local.get $out) (local.get $at))
          (i32.add (local.get $fill) (local.get $at))
          (i32.sub (i32.mul (local.get $pixels) (local.get $unit)) (local.get $at)))
        (local.set $out (i32.add (local.get $out) (local.get $plane)))
        (local.set $image (i32.add (local.get $image) (local.get $plane)))
        (local.set $fill (i32.add (local.get $fill) (local.get $plane)))
        (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
        (br $next_plane))))

  ;; $source on the $count spans at $spans only (same addressing as compose; the rest of $out is
  ;; left as it is).
  (func (export "copy")
    (param $out i32) (param $source i32) (param $spans i32) (param $count i32)
    (param $unit i32) (param $planes i32) (param $plane i32)
    (local $pair i32) (local $end i32) (local $start i32)
    (local.set $end (i32.add (local.get $spans) (i32.shl (local.get $count) (i32.const 3))))
    (block $planes_done
      (loop $next_plane
        (br_if $planes_done (i32.eqz (local.get $planes)))
        (local.set $pair (local.get $spans))
        (block $spans_done
          (loop $next_span
            (br_if $spans_done (i32.ge_u (local.get $pair) (local.get $end)))
            (local.set $start (i32.mul (i32.load (local.get $pair)) (local.get $unit)))
            (memory.copy
              (i32.add (local.get $out) (local.get $start))
              (i32.add (local.get $source) (local.get $start))
              (i32.sub (i32.mul (i32.load offset=4 (local.get $pair)) (local.get $unit)) (local.get $start)))
            (local.set $pair (i32.add (local.get $pair) (i32.const 8)))
            (br $next_span)))
        (local.set $out (i32.add (local.get $out) (local.get $plane)))
        (local.set $source (i32.add (local.get $source) (local.get $plane)))
        (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
        (br $next_plane)))))
