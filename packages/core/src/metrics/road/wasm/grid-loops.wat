;; ROAD's multigrid and conjugate-gradient loops on 3-channel levels (grid-level.ts, coarsening.ts,
;; pcg.ts; docs/decisions/0013). Every vector is a level's zero-bordered image with the 3 channels
;; of a cell interleaved, in f64. A cell's channels run as two f64x2 halves,
;; written out one after the other: channels 0-1, then channel 2 in both lanes (load64_splat,
;; stored from lane 0), so nothing past a cell's 3 values is read or written, and a load of a value
;; just stored has the store's width (a wider load waits for the store to reach the cache: twice
;; the sweep's time). Each lane does the JS loop's operations in the JS loop's order, so both give
;; the same bits.
;;
;; Arguments are byte addresses in the imported memory: `stencil` 9 f64 per unknown (grid-level.ts),
;; `at` an i32 per unknown (its first channel's element index in a vector), `inverse` an f64 per
;; unknown (1 / diagonal), `o0`..`o8` the byte offsets of the 8 neighbours (stencil slots 0-3, 5-8).
;; The sums over 4 neighbours are written inline in every function: Node 20's V8 does not inline
;; calls (ADR 0013).
(module
  (memory (import "env" "memory") 1)

  ;; out = A x on the unknowns: (earlier + s4 x) + later, where earlier and later are the sums over the
  ;; neighbours before and after the cell in stencil order (grid-level.ts multiply).
  (func (export "multiply3")
    (param $stencil i32) (param $at i32) (param $count i32) (param $x i32) (param $out i32)
    (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
    (param $o5 i32) (param $o6 i32) (param $o7 i32) (param $o8 i32)
    (local $xi i32) (local $oi i32) (local $earlier v128) (local $later v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128) (local $s8 v128)
    (block $done
      (loop $unknown
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $s0 (v128.load64_splat offset=0 (local.get $stencil)))
        (local.set $s1 (v128.load64_splat offset=8 (local.get $stencil)))
        (local.set $s2 (v128.load64_splat offset=16 (local.get $stencil)))
        (local.set $s3 (v128.load64_splat offset=24 (local.get $stencil)))
        (local.set $s4 (v128.load64_splat offset=32 (local.get $stencil)))
        (local.set $s5 (v128.load64_splat offset=40 (local.get $stencil)))
        (local.set $s6 (v128.load64_splat offset=48 (local.get $stencil)))
        (local.set $s7 (v128.load64_splat offset=56 (local.get $stencil)))
        (local.set $s8 (v128.load64_splat offset=64 (local.get $stencil)))
        (local.set $xi (i32.add (local.get $x) (i32.shl (i32.load (local.get $at)) (i32.const 3))))
        (local.set $oi (i32.add (local.get $out) (i32.shl (i32.load (local.get $at)) (i32.const 3))))
        ;; channels 0-1
        (local.set $earlier
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s0) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o0))))
                (f64x2.mul (local.get $s1) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o1)))))
              (f64x2.mul (local.get $s2) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o2)))))
            (f64x2.mul (local.get $s3) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o3))))))
        (local.set $later
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s5) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o5))))
                (f64x2.mul (local.get $s6) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o6)))))
              (f64x2.mul (local.get $s7) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o7)))))
            (f64x2.mul (local.get $s8) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o8))))))
        (v128.store (local.get $oi) 
          (f64x2.add (f64x2.add (local.get $earlier) (f64x2.mul (local.get $s4) (v128.load offset=0 (local.get $xi)))) (local.get $later)))
        ;; channel 2
        (local.set $earlier
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s0) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o0))))
                (f64x2.mul (local.get $s1) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o1)))))
              (f64x2.mul (local.get $s2) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o2)))))
            (f64x2.mul (local.get $s3) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o3))))))
        (local.set $later
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s5) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o5))))
                (f64x2.mul (local.get $s6) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o6)))))
              (f64x2.mul (local.get $s7) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o7)))))
            (f64x2.mul (local.get $s8) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o8))))))
        (v128.store64_lane offset=16 0 (local.get $oi) 
          (f64x2.add (f64x2.add (local.get $earlier) (f64x2.mul (local.get $s4) (v128.load64_splat offset=16 (local.get $xi)))) (local.get $later)))
        (local.set $stencil (i32.add (local.get $stencil) (i32.const 72)))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $unknown))))

  ;; One Gauss-Seidel sweep of A x = b in place, x = ((b - earlier) - later) * inverse, over the
  ;; unknowns in order, or from the last to the first when `backward` is not 0 (grid-level.ts sweep).
  (func (export "sweep3")
    (param $stencil i32) (param $at i32) (param $inverse i32) (param $count i32) (param $b i32) (param $x i32) (param $backward i32)
    (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
    (param $o5 i32) (param $o6 i32) (param $o7 i32) (param $o8 i32)
    (local $step i32) (local $xi i32) (local $bi i32) (local $d v128) (local $earlier v128) (local $later v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128) (local $s8 v128)
    ;; $step: +1 or -1 unknowns; going backward starts at the last one.
    (local.set $step (i32.const 1))
    (if (local.get $backward)
      (then
        (local.set $step (i32.const -1))
        (local.set $stencil (i32.add (local.get $stencil) (i32.mul (i32.sub (local.get $count) (i32.const 1)) (i32.const 72))))
        (local.set $at (i32.add (local.get $at) (i32.shl (i32.sub (local.get $count) (i32.const 1)) (i32.const 2))))
        (local.set $inverse (i32.add (local.get $inverse) (i32.shl (i32.sub (local.get $count) (i32.const 1)) (i32.const 3))))))
    (block $done
      (loop $unknown
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $s0 (v128.load64_splat offset=0 (local.get $stencil)))
        (local.set $s1 (v128.load64_splat offset=8 (local.get $stencil)))
        (local.set $s2 (v128.load64_splat offset=16 (local.get $stencil)))
        (local.set $s3 (v128.load64_splat offset=24 (local.get $stencil)))
        (local.set $s5 (v128.load64_splat offset=40 (local.get $stencil)))
        (local.set $s6 (v128.load64_splat offset=48 (local.get $stencil)))
        (local.set $s7 (v128.load64_splat offset=56 (local.get $stencil)))
        (local.set $s8 (v128.load64_splat offset=64 (local.get $stencil)))
        (local.set $d (v128.load64_splat (local.get $inverse)))
        (local.set $xi (i32.add (local.get $x) (i32.shl (i32.load (local.get $at)) (i32.const 3))))
        (local.set $bi (i32.add (local.get $b) (i32.shl (i32.load (local.get $at)) (i32.const 3))))
        ;; channels 0-1
        (local.set $earlier
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s0) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o0))))
                (f64x2.mul (local.get $s1) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o1)))))
              (f64x2.mul (local.get $s2) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o2)))))
            (f64x2.mul (local.get $s3) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o3))))))
        (local.set $later
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s5) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o5))))
                (f64x2.mul (local.get $s6) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o6)))))
              (f64x2.mul (local.get $s7) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o7)))))
            (f64x2.mul (local.get $s8) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o8))))))
        (v128.store (local.get $xi) 
          (f64x2.mul (f64x2.sub (f64x2.sub (v128.load offset=0 (local.get $bi)) (local.get $earlier)) (local.get $later)) (local.get $d)))
        ;; channel 2
        (local.set $earlier
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s0) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o0))))
                (f64x2.mul (local.get $s1) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o1)))))
              (f64x2.mul (local.get $s2) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o2)))))
            (f64x2.mul (local.get $s3) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o3))))))
        (local.set $later
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s5) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o5))))
                (f64x2.mul (local.get $s6) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o6)))))
              (f64x2.mul (local.get $s7) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o7)))))
            (f64x2.mul (local.get $s8) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o8))))))
        (v128.store64_lane offset=16 0 (local.get $xi) 
          (f64x2.mul (f64x2.sub (f64x2.sub (v128.load64_splat offset=16 (local.get $bi)) (local.get $earlier)) (local.get $later)) (local.get $d)))
        (local.set $stencil (i32.add (local.get $stencil) (i32.mul (local.get $step) (i32.const 72))))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $step) (i32.const 2))))
        (local.set $inverse (i32.add (local.get $inverse) (i32.shl (local.get $step) (i32.const 3))))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $unknown))))

  ;; One forward Gauss-Seidel sweep from x = 0, x = (b - earlier) * inverse, then the residual it
  ;; leaves, residual = -later (grid-level.ts sweepFromZero).
  (func (export "sweepFromZero3")
    (param $stencil i32) (param $at i32) (param $inverse i32) (param $count i32) (param $b i32) (param $x i32) (param $residual i32)
    (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
    (param $o5 i32) (param $o6 i32) (param $o7 i32) (param $o8 i32)
    (local $n i32) (local $s i32) (local $a i32) (local $xi i32) (local $bi i32) (local $ri i32) (local $d v128) (local $earlier v128) (local $later v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128) (local $s8 v128)
    (local.set $n (local.get $count))
    (local.set $s (local.get $stencil))
    (local.set $a (local.get $at))
    (block $done
      (loop $unknown
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s0 (v128.load64_splat offset=0 (local.get $s)))
        (local.set $s1 (v128.load64_splat offset=8 (local.get $s)))
        (local.set $s2 (v128.load64_splat offset=16 (local.get $s)))
        (local.set $s3 (v128.load64_splat offset=24 (local.get $s)))
        (local.set $d (v128.load64_splat (local.get $inverse)))
        (local.set $xi (i32.add (local.get $x) (i32.shl (i32.load (local.get $a)) (i32.const 3))))
        (local.set $bi (i32.add (local.get $b) (i32.shl (i32.load (local.get $a)) (i32.const 3))))
        ;; channels 0-1
        (local.set $earlier
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s0) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o0))))
                (f64x2.mul (local.get $s1) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o1)))))
              (f64x2.mul (local.get $s2) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o2)))))
            (f64x2.mul (local.get $s3) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o3))))))
        (v128.store (local.get $xi) (f64x2.mul (f64x2.sub (v128.load offset=0 (local.get $bi)) (local.get $earlier)) (local.get $d)))
        ;; channel 2
        (local.set $earlier
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s0) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o0))))
                (f64x2.mul (local.get $s1) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o1)))))
              (f64x2.mul (local.get $s2) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o2)))))
            (f64x2.mul (local.get $s3) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o3))))))
        (v128.store64_lane offset=16 0 (local.get $xi) (f64x2.mul (f64x2.sub (v128.load64_splat offset=16 (local.get $bi)) (local.get $earlier)) (local.get $d)))
        (local.set $s (i32.add (local.get $s) (i32.const 72)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $inverse (i32.add (local.get $inverse) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $unknown)))
    (local.set $n (local.get $count))
    (local.set $s (local.get $stencil))
    (local.set $a (local.get $at))
    (block $done
      (loop $unknown
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s5 (v128.load64_splat offset=40 (local.get $s)))
        (local.set $s6 (v128.load64_splat offset=48 (local.get $s)))
        (local.set $s7 (v128.load64_splat offset=56 (local.get $s)))
        (local.set $s8 (v128.load64_splat offset=64 (local.get $s)))
        (local.set $xi (i32.add (local.get $x) (i32.shl (i32.load (local.get $a)) (i32.const 3))))
        (local.set $ri (i32.add (local.get $residual) (i32.shl (i32.load (local.get $a)) (i32.const 3))))
        ;; channels 0-1
        (local.set $later
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s5) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o5))))
                (f64x2.mul (local.get $s6) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o6)))))
              (f64x2.mul (local.get $s7) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o7)))))
            (f64x2.mul (local.get $s8) (v128.load offset=0 (i32.add (local.get $xi) (local.get $o8))))))
        (v128.store (local.get $ri) (f64x2.neg (local.get $later)))
        ;; channel 2
        (local.set $later
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $s5) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o5))))
                (f64x2.mul (local.get $s6) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o6)))))
              (f64x2.mul (local.get $s7) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o7)))))
            (f64x2.mul (local.get $s8) (v128.load64_splat offset=16 (i32.add (local.get $xi) (local.get $o8))))))
        (v128.store64_lane offset=16 0 (local.get $ri) (f64x2.neg (local.get $later)))
        (local.set $s (i32.add (local.get $s) (i32.const 72)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $unknown))))

  ;; b = P^T r on the coarse unknowns (coarsening.ts restrict): per coarse cell (ty, tx) that is an
  ;; unknown (`unknownAt`: an i32 per cell of the coarse height x width grid), from fine cell
  ;; (2 ty, 2 tx) and its neighbours, b = (r + 0.5 edges) + 0.25 corners. `finePadded` and
  ;; `coarsePadded` are the levels' bordered widths.
  (func (export "restrict3")
    (param $unknownAt i32) (param $height i32) (param $width i32) (param $finePadded i32) (param $coarsePadded i32)
    (param $r i32) (param $b i32)
    (local $down i32) (local $ty i32) (local $tx i32) (local $ri i32) (local $bi i32)
    (local.set $down (i32.mul (local.get $finePadded) (i32.const 24)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $ty) (local.get $height)))
        ;; cell (ty, 0) of the coarse level and cell (2 ty, 0) of the fine one
        (local.set $bi (i32.add (local.get $b)
          (i32.mul (i32.add (i32.mul (i32.add (local.get $ty) (i32.const 1)) (local.get $coarsePadded)) (i32.const 1)) (i32.const 24))))
        (local.set $ri (i32.add (local.get $r)
          (i32.mul (i32.add (i32.mul (i32.add (i32.shl (local.get $ty) (i32.const 1)) (i32.const 1)) (local.get $finePadded)) (i32.const 1)) (i32.const 24))))
        (local.set $tx (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $tx) (local.get $width)))
            (if (i32.ge_s (i32.load (local.get $unknownAt)) (i32.const 0))
              (then
                ;; channels 0-1
                (v128.store (local.get $bi)
                  (f64x2.add
                    (f64x2.add
                      (v128.load (local.get $ri))
                      (f64x2.mul
                        (f64x2.splat (f64.const 0.5))
                        (f64x2.add
                          (f64x2.add
                            (f64x2.add
                              (v128.load (i32.sub (local.get $ri) (i32.const 24)))
                              (v128.load (i32.add (local.get $ri) (i32.const 24))))
                            (v128.load (i32.sub (local.get $ri) (local.get $down))))
                          (v128.load (i32.add (local.get $ri) (local.get $down))))))
                    (f64x2.mul
                      (f64x2.splat (f64.const 0.25))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add
                            (v128.load (i32.sub (i32.sub (local.get $ri) (local.get $down)) (i32.const 24)))
                            (v128.load (i32.add (i32.sub (local.get $ri) (local.get $down)) (i32.const 24))))
                          (v128.load (i32.sub (i32.add (local.get $ri) (local.get $down)) (i32.const 24))))
                        (v128.load (i32.add (i32.add (local.get $ri) (local.get $down)) (i32.const 24)))))))
                ;; channel 2
                (v128.store64_lane offset=16 0 (local.get $bi)
                  (f64x2.add
                    (f64x2.add
                      (v128.load64_splat offset=16 (local.get $ri))
                      (f64x2.mul
                        (f64x2.splat (f64.const 0.5))
                        (f64x2.add
                          (f64x2.add
                            (f64x2.add
                              (v128.load64_splat offset=16 (i32.sub (local.get $ri) (i32.const 24)))
                              (v128.load64_splat offset=16 (i32.add (local.get $ri) (i32.const 24))))
                            (v128.load64_splat offset=16 (i32.sub (local.get $ri) (local.get $down))))
                          (v128.load64_splat offset=16 (i32.add (local.get $ri) (local.get $down))))))
                    (f64x2.mul
                      (f64x2.splat (f64.const 0.25))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add
                            (v128.load64_splat offset=16 (i32.sub (i32.sub (local.get $ri) (local.get $down)) (i32.const 24)))
                            (v128.load64_splat offset=16 (i32.add (i32.sub (local.get $ri) (local.get $down)) (i32.const 24))))
                          (v128.load64_splat offset=16 (i32.sub (i32.add (local.get $ri) (local.get $down)) (i32.const 24))))
                        (v128.load64_splat offset=16 (i32.add (i32.add (local.get $ri) (local.get $down)) (i32.const 24)))))))))
            (local.set $unknownAt (i32.add (local.get $unknownAt) (i32.const 4)))
            (local.set $ri (i32.add (local.get $ri) (i32.const 48)))
            (local.set $bi (i32.add (local.get $bi) (i32.const 24)))
            (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
            (br $column)))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br $row))))

  ;; x += P e on the fine unknowns (coarsening.ts prolongAdd): per fine cell (y, px) that is an
  ;; unknown (`unknownAt` over the fine height x width grid), from coarse cell (y >> 1, px >> 1),
  ;; x = x + 0.25 (((e + e_dx) + e_dy) + e_dy_dx), where dx (dy) is one coarse cell right (down) on
  ;; odd columns (rows), else 0.
  (func (export "prolongAdd3")
    (param $unknownAt i32) (param $height i32) (param $width i32) (param $finePadded i32) (param $coarsePadded i32)
    (param $e i32) (param $x i32)
    (local $y i32) (local $px i32) (local $dy i32) (local $dx i32) (local $xi i32) (local $ej i32) (local $coarseRow i32)
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $dy (select (i32.mul (local.get $coarsePadded) (i32.const 24)) (i32.const 0) (i32.and (local.get $y) (i32.const 1))))
        ;; cell (y, 0) of the fine level and cell (y >> 1, 0) of the coarse one
        (local.set $xi (i32.add (local.get $x)
          (i32.mul (i32.add (i32.mul (i32.add (local.get $y) (i32.const 1)) (local.get $finePadded)) (i32.const 1)) (i32.const 24))))
        (local.set $coarseRow (i32.add (local.get $e)
          (i32.mul (i32.add (i32.mul (i32.add (i32.shr_u (local.get $y) (i32.const 1)) (i32.const 1)) (local.get $coarsePadded)) (i32.const 1)) (i32.const 24))))
        (local.set $px (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $px) (local.get $width)))
            (if (i32.ge_s (i32.load (local.get $unknownAt)) (i32.const 0))
              (then
                (local.set $dx (select (i32.const 24) (i32.const 0) (i32.and (local.get $px) (i32.const 1))))
                (local.set $ej (i32.add (local.get $coarseRow) (i32.mul (i32.shr_u (local.get $px) (i32.const 1)) (i32.const 24))))
                ;; channels 0-1
                (v128.store (local.get $xi)
                  (f64x2.add
                    (v128.load (local.get $xi))
                    (f64x2.mul
                      (f64x2.splat (f64.const 0.25))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add
                            (v128.load (local.get $ej))
                            (v128.load (i32.add (local.get $ej) (local.get $dx))))
                          (v128.load (i32.add (local.get $ej) (local.get $dy))))
                        (v128.load (i32.add (i32.add (local.get $ej) (local.get $dy)) (local.get $dx)))))))
                ;; channel 2
                (v128.store64_lane offset=16 0 (local.get $xi)
                  (f64x2.add
                    (v128.load64_splat offset=16 (local.get $xi))
                    (f64x2.mul
                      (f64x2.splat (f64.const 0.25))
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add
                            (v128.load64_splat offset=16 (local.get $ej))
                            (v128.load64_splat offset=16 (i32.add (local.get $ej) (local.get $dx))))
                          (v128.load64_splat offset=16 (i32.add (local.get $ej) (local.get $dy))))
                        (v128.load64_splat offset=16 (i32.add (i32.add (local.get $ej) (local.get $dy)) (local.get $dx)))))))))
            (local.set $unknownAt (i32.add (local.get $unknownAt) (i32.const 4)))
            (local.set $xi (i32.add (local.get $xi) (i32.const 24)))
            (local.set $px (i32.add (local.get $px) (i32.const 1)))
            (br $column)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))

  ;; Conjugate gradients' step on the unknowns (pcg.ts step): x = x + alpha_c p and
  ;; r = r - alpha_c q, and per channel the sum of r r in unknown order, written to the 3 f64 at
  ;; `sums`.
  (func (export "step3")
    (param $at i32) (param $count i32) (param $alpha0 f64) (param $alpha1 f64) (param $alpha2 f64)
    (param $x i32) (param $r i32) (param $p i32) (param $q i32) (param $sums i32)
    (local $i i32) (local $low v128) (local $high v128) (local $lowSum v128) (local $highSum v128) (local $residual v128)
    (local.set $low (f64x2.replace_lane 1 (f64x2.splat (local.get $alpha0)) (local.get $alpha1)))
    (local.set $high (f64x2.splat (local.get $alpha2)))
    (block $done
      (loop $unknown
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $i (i32.shl (i32.load (local.get $at)) (i32.const 3)))
        ;; channels 0-1
        (v128.store (i32.add (local.get $x) (local.get $i))
          (f64x2.add (v128.load (i32.add (local.get $x) (local.get $i))) (f64x2.mul (local.get $low) (v128.load (i32.add (local.get $p) (local.get $i))))))
        (local.set $residual (f64x2.sub (v128.load (i32.add (local.get $r) (local.get $i))) (f64x2.mul (local.get $low) (v128.load (i32.add (local.get $q) (local.get $i))))))
        (v128.store (i32.add (local.get $r) (local.get $i)) (local.get $residual))
        (local.set $lowSum (f64x2.add (local.get $lowSum) (f64x2.mul (local.get $residual) (local.get $residual))))
        ;; channel 2
        (v128.store64_lane offset=16 0 (i32.add (local.get $x) (local.get $i))
          (f64x2.add (v128.load64_splat offset=16 (i32.add (local.get $x) (local.get $i))) (f64x2.mul (local.get $high) (v128.load64_splat offset=16 (i32.add (local.get $p) (local.get $i))))))
        (local.set $residual (f64x2.sub (v128.load64_splat offset=16 (i32.add (local.get $r) (local.get $i))) (f64x2.mul (local.get $high) (v128.load64_splat offset=16 (i32.add (local.get $q) (local.get $i))))))
        (v128.store64_lane offset=16 0 (i32.add (local.get $r) (local.get $i)) (local.get $residual))
        (local.set $highSum (f64x2.add (local.get $highSum) (f64x2.mul (local.get $residual) (local.get $residual))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $unknown)))
    (v128.store (local.get $sums) (local.get $lowSum))
    (v128.store64_lane offset=16 0 (local.get $sums) (local.get $highSum)))

  ;; p = z + beta_c p on the unknowns (pcg.ts nextDirection).
  (func (export "nextDirection3")
    (param $at i32) (param $count i32) (param $beta0 f64) (param $beta1 f64) (param $beta2 f64) (param $z i32) (param $p i32)
    (local $i i32) (local $low v128) (local $high v128)
    (local.set $low (f64x2.replace_lane 1 (f64x2.splat (local.get $beta0)) (local.get $beta1)))
    (local.set $high (f64x2.splat (local.get $beta2)))
    (block $done
      (loop $unknown
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $i (i32.shl (i32.load (local.get $at)) (i32.const 3)))
        ;; channels 0-1
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f64x2.add (v128.load (i32.add (local.get $z) (local.get $i))) (f64x2.mul (local.get $low) (v128.load (i32.add (local.get $p) (local.get $i))))))
        ;; channel 2
        (v128.store64_lane offset=16 0 (i32.add (local.get $p) (local.get $i))
          (f64x2.add (v128.load64_splat offset=16 (i32.add (local.get $z) (local.get $i))) (f64x2.mul (local.get $high) (v128.load64_splat offset=16 (i32.add (local.get $p) (local.get $i))))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $unknown))))

  ;; Per channel, the sum of u v over the unknowns in order (pcg.ts columnDots), written to the 3
  ;; f64 at `sums`.
  (func (export "columnDots3")
    (param $at i32) (param $count i32) (param $u i32) (param $v i32) (param $sums i32)
    (local $i i32) (local $lowSum v128) (local $highSum v128)
    (block $done
      (loop $unknown
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $i (i32.shl (i32.load (local.get $at)) (i32.const 3)))
        ;; channels 0-1
        (local.set $lowSum (f64x2.add (local.get $lowSum) (f64x2.mul (v128.load (i32.add (local.get $u) (local.get $i))) (v128.load (i32.add (local.get $v) (local.get $i))))))
        ;; channel 2
        (local.set $highSum (f64x2.add (local.get $highSum) (f64x2.mul (v128.load64_splat offset=16 (i32.add (local.get $u) (local.get $i))) (v128.load64_splat offset=16 (i32.add (local.get $v) (local.get $i))))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $unknown)))
    (v128.store (local.get $sums) (local.get $lowSum))
    (v128.store64_lane offset=16 0 (local.get $sums) (local.get $highSum))))
