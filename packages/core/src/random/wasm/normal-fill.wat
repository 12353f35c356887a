;; The normal stream's values (normal-fill.ts; docs/decisions/0013): @webxai/shaders' normalFill,
;; bit for bit, which is the GPU's randomNormal. Two passes over the output:
;;  1. words: Threefry-2x32-20's first output word for the counters (offset + j, NORMAL_STREAM)
;;     under the key (k0, k1), four counters at a time in i32x4 lanes (every operation is the same
;;     mod-2^32 one as the JS's `| 0` arithmetic), written to the output as i32;
;;  2. values: each word through the sampler, in place: the inverse normal CDF from the table's
;;     piecewise polynomials by Horner in fixed point (in f64, exact, as normal-fill.ts's
;;     normalOfWord), rounded to f32 (q28ToF32Fast), signed by the word's top bit, then
;;     f32(f32(std * z) + mean).
;; The table (NORMAL_TABLE as i32, octave-major, 7 coefficients per segment) is at address 0 of the
;; imported memory.
(module
  (memory (import "env" "memory") 1)

  ;; Writes `count` values to the f32s at `out` (which has room for count rounded up to 4).
  (func (export "normalFill")
    (param $out i32) (param $count i32) (param $offset i32) (param $k0 i32) (param $k1 i32) (param $stream i32)
    (param $mean f32) (param $std f32)
    (local $k2 i32) (local $at i32) (local $end i32) (local $counter v128) (local $x0 v128) (local $x1 v128)
    (local $word i32) (local $odd i32) (local $octave i32) (local $mantissa i32) (local $base i32) (local $k i32)
    (local $high f64) (local $low f64) (local $acc f64) (local $g i32) (local $shift i32) (local $magnitude f32)
    ;; the key schedule's parity word, 0x1bd11bda
    (local.set $k2 (i32.xor (i32.xor (i32.const 0x1bd11bda) (local.get $k0)) (local.get $k1)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    ;; 1. words, four per step
    (local.set $counter (i32x4.add (i32x4.splat (local.get $offset)) (v128.const i32x4 0 1 2 3)))
    (local.set $at (local.get $out))
    (block $wordsDone
      (loop $words
        (br_if $wordsDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $x0 (i32x4.add (local.get $counter) (i32x4.splat (local.get $k0))))
        (local.set $x1 (i32x4.splat (i32.add (local.get $stream) (local.get $k1))))
        ;; rounds 0-3
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 13)) (i32x4.shr_u (local.get $x1) (i32.const 19))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 15)) (i32x4.shr_u (local.get $x1) (i32.const 17))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 26)) (i32x4.shr_u (local.get $x1) (i32.const 6))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 6)) (i32x4.shr_u (local.get $x1) (i32.const 26))) (local.get $x0)))
        ;; key injection 1
        (local.set $x0 (i32x4.add (local.get $x0) (i32x4.splat (local.get $k1))))
        (local.set $x1 (i32x4.add (local.get $x1) (i32x4.splat (i32.add (local.get $k2) (i32.const 1)))))
        ;; rounds 4-7
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 17)) (i32x4.shr_u (local.get $x1) (i32.const 15))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 29)) (i32x4.shr_u (local.get $x1) (i32.const 3))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 16)) (i32x4.shr_u (local.get $x1) (i32.const 16))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 24)) (i32x4.shr_u (local.get $x1) (i32.const 8))) (local.get $x0)))
        ;; key injection 2
        (local.set $x0 (i32x4.add (local.get $x0) (i32x4.splat (local.get $k2))))
        (local.set $x1 (i32x4.add (local.get $x1) (i32x4.splat (i32.add (local.get $k0) (i32.const 2)))))
        ;; rounds 8-11
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 13)) (i32x4.shr_u (local.get $x1) (i32.const 19))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 15)) (i32x4.shr_u (local.get $x1) (i32.const 17))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 26)) (i32x4.shr_u (local.get $x1) (i32.const 6))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 6)) (i32x4.shr_u (local.get $x1) (i32.const 26))) (local.get $x0)))
        ;; key injection 3
        (local.set $x0 (i32x4.add (local.get $x0) (i32x4.splat (local.get $k0))))
        (local.set $x1 (i32x4.add (local.get $x1) (i32x4.splat (i32.add (local.get $k1) (i32.const 3)))))
        ;; rounds 12-15
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 17)) (i32x4.shr_u (local.get $x1) (i32.const 15))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 29)) (i32x4.shr_u (local.get $x1) (i32.const 3))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 16)) (i32x4.shr_u (local.get $x1) (i32.const 16))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 24)) (i32x4.shr_u (local.get $x1) (i32.const 8))) (local.get $x0)))
        ;; key injection 4
        (local.set $x0 (i32x4.add (local.get $x0) (i32x4.splat (local.get $k1))))
        (local.set $x1 (i32x4.add (local.get $x1) (i32x4.splat (i32.add (local.get $k2) (i32.const 4)))))
        ;; rounds 16-19
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 13)) (i32x4.shr_u (local.get $x1) (i32.const 19))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 15)) (i32x4.shr_u (local.get $x1) (i32.const 17))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        (local.set $x1 (v128.xor (v128.or (i32x4.shl (local.get $x1) (i32.const 26)) (i32x4.shr_u (local.get $x1) (i32.const 6))) (local.get $x0)))
        (local.set $x0 (i32x4.add (local.get $x0) (local.get $x1)))
        ;; key injection 5, x0's only: the word is x0
        (v128.store (local.get $at) (i32x4.add (local.get $x0) (i32x4.splat (local.get $k2))))
        (local.set $counter (i32x4.add (local.get $counter) (i32x4.splat (i32.const 4))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $words)))
    ;; 2. values, one per step
    (local.set $at (local.get $out))
    (block $valuesDone
      (loop $values
        (br_if $valuesDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $word (i32.load (local.get $at)))
        ;; p = (2q + 1) / 2^33 for q = the word's low 31 bits: its octave, segment and position x
        ;; (x split in 16-bit halves: high, low)
        (local.set $odd (i32.or (i32.shl (local.get $word) (i32.const 1)) (i32.const 1)))
        (local.set $octave (i32.clz (local.get $odd)))
        (local.set $mantissa (i32.shl (i32.shl (local.get $odd) (local.get $octave)) (i32.const 1)))
        (local.set $high (f64.convert_i32_u (i32.shr_u (i32.shl (local.get $mantissa) (i32.const 2)) (i32.const 16))))
        (local.set $low (f64.convert_i32_u (i32.and (i32.shl (local.get $mantissa) (i32.const 2)) (i32.const 0xffff))))
        ;; byte address of the segment's coefficients: ((octave * 4 + segment) * 7) * 4
        (local.set $base (i32.mul
          (i32.add (i32.shl (local.get $octave) (i32.const 2)) (i32.shr_u (local.get $mantissa) (i32.const 30)))
          (i32.const 28)))
        ;; Horner from the degree-6 coefficient: acc = trunc((acc high + trunc(acc low / 2^16)) / 2^16) + c_k
        (local.set $acc (f64.convert_i32_s (i32.load offset=24 (local.get $base))))
        (local.set $k (i32.const 20))
        (loop $horner
          (local.set $acc (f64.add
            (f64.trunc (f64.mul
              (f64.add
                (f64.mul (local.get $acc) (local.get $high))
                (f64.trunc (f64.mul (f64.mul (local.get $acc) (local.get $low)) (f64.const 0x1p-16))))
              (f64.const 0x1p-16)))
            (f64.convert_i32_s (i32.load (i32.add (local.get $base) (local.get $k))))))
          (local.set $k (i32.sub (local.get $k) (i32.const 4)))
          (br_if $horner (i32.ge_s (local.get $k) (i32.const 0))))
        ;; g = max(acc, 0) in Q28, rounded to f32 from its top 24 bits (ties up) when it has more
        (local.set $g (select (i32.trunc_f64_s (local.get $acc)) (i32.const 0) (f64.gt (local.get $acc) (f64.const 0))))
        (local.set $shift (i32.sub (i32.sub (i32.const 32) (i32.clz (local.get $g))) (i32.const 24)))
        (if (i32.le_s (local.get $shift) (i32.const 0))
          (then (local.set $magnitude (f32.demote_f64 (f64.mul (f64.convert_i32_u (local.get $g)) (f64.const 0x1p-28)))))
          (else (local.set $magnitude (f32.demote_f64 (f64.mul
            (f64.mul
              (f64.convert_i32_u (i32.shr_u
                (i32.add (local.get $g) (i32.shl (i32.const 1) (i32.sub (local.get $shift) (i32.const 1))))
                (local.get $shift)))
              (f64.convert_i32_u (i32.shl (i32.const 1) (local.get $shift))))
            (f64.const 0x1p-28))))))
        (if (i32.lt_s (local.get $word) (i32.const 0)) (then (local.set $magnitude (f32.neg (local.get $magnitude)))))
        (f32.store (local.get $at) (f32.demote_f64 (f64.add
          (f64.promote_f32 (f32.demote_f64 (f64.mul (f64.promote_f32 (local.get $std)) (f64.promote_f32 (local.get $magnitude)))))
          (f64.promote_f32 (local.get $mean)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $values))))
)
