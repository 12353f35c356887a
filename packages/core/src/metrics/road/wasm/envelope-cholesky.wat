;; ROAD's direct solve (envelope-cholesky.ts; docs/decisions/0013): the envelope Cholesky
;; factorisation of a level's operator and the triangular solves with it, for any channel count.
;; Each dot product runs as two interleaved sums in an f64x2's lanes, which the JS loops (downDot)
;; add up the same way, so both give the same bits. Arguments are byte addresses in the imported
;; memory.
(module
  (memory (import "env" "memory") 1)

  ;; The factorisation in place (envelope-cholesky.ts factor): row u of L holds columns
  ;; first[u]..u at l[start[u] - first[u] + column] (f64), and L[u][v] = (A[u][v] - sum_p L[u][p]
  ;; L[v][p]) / L[v][v], L[u][u] = sqrt(A[u][u] - sum_p L[u][p]^2).
  ;; Each sum runs as two interleaved ones, the f64x2's lanes: lane 0 starts at A[u][v] and takes
  ;; the terms p0, p0 + 2, ... (and the odd one left at the end), lane 1 the terms p0 + 1, p0 + 3,
  ;; ..., and the result is lane 0 + lane 1, as the JS loop (downDot) computes it.
  (func (export "factorEnvelope") (param $first i32) (param $start i32) (param $l i32) (param $count i32)
    (local $u i32) (local $v i32) (local $p i32) (local $firstU i32) (local $row i32) (local $other i32)
    (local $sum v128) (local $rest f64)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $u) (local.get $count)))
        (local.set $firstU (i32.load (i32.add (local.get $first) (i32.shl (local.get $u) (i32.const 2)))))
        ;; byte address of L[u][0] (not inside the envelope: only columns from first[u] are read)
        (local.set $row (i32.add (local.get $l) (i32.shl
          (i32.sub (i32.load (i32.add (local.get $start) (i32.shl (local.get $u) (i32.const 2)))) (local.get $firstU))
          (i32.const 3))))
        (local.set $v (local.get $firstU))
        (block $columnsDone
          (loop $columns
            (br_if $columnsDone (i32.ge_u (local.get $v) (local.get $u)))
            ;; byte address of L[v][0]; the sum runs over p from max(first[u], first[v]) to v - 1
            (local.set $p (i32.load (i32.add (local.get $first) (i32.shl (local.get $v) (i32.const 2)))))
            (local.set $other (i32.add (local.get $l) (i32.shl
              (i32.sub (i32.load (i32.add (local.get $start) (i32.shl (local.get $v) (i32.const 2)))) (local.get $p))
              (i32.const 3))))
            (if (i32.lt_u (local.get $p) (local.get $firstU)) (then (local.set $p (local.get $firstU))))
            (local.set $sum (f64x2.replace_lane 0 (v128.const f64x2 0 0)
              (f64.load (i32.add (local.get $row) (i32.shl (local.get $v) (i32.const 3))))))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $v)))
                (local.set $sum (f64x2.sub (local.get $sum) (f64x2.mul
                  (v128.load (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3))))
                  (v128.load (i32.add (local.get $other) (i32.shl (local.get $p) (i32.const 3)))))))
                (local.set $p (i32.add (local.get $p) (i32.const 2)))
                (br $pairs)))
            (local.set $rest (f64x2.extract_lane 0 (local.get $sum)))
            (if (i32.lt_u (local.get $p) (local.get $v))
              (then (local.set $rest (f64.sub (local.get $rest) (f64.mul
                (f64.load (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3))))
                (f64.load (i32.add (local.get $other) (i32.shl (local.get $p) (i32.const 3)))))))))
            (f64.store (i32.add (local.get $row) (i32.shl (local.get $v) (i32.const 3)))
              (f64.div
                (f64.add (local.get $rest) (f64x2.extract_lane 1 (local.get $sum)))
                (f64.load (i32.add (local.get $other) (i32.shl (local.get $v) (i32.const 3))))))
            (local.set $v (i32.add (local.get $v) (i32.const 1)))
            (br $columns)))
        ;; the diagonal: the same two sums of L[u][p]^2, p from first[u] to u - 1
        (local.set $p (local.get $firstU))
        (local.set $sum (f64x2.replace_lane 0 (v128.const f64x2 0 0)
          (f64.load (i32.add (local.get $row) (i32.shl (local.get $u) (i32.const 3))))))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $u)))
            (local.set $sum (f64x2.sub (local.get $sum) (f64x2.mul
              (v128.load (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3))))
              (v128.load (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 2)))
            (br $pairs)))
        (local.set $rest (f64x2.extract_lane 0 (local.get $sum)))
        (if (i32.lt_u (local.get $p) (local.get $u))
          (then (local.set $rest (f64.sub (local.get $rest) (f64.mul
            (f64.load (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3))))
            (f64.load (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3)))))))))
        (f64.store (i32.add (local.get $row) (i32.shl (local.get $u) (i32.const 3)))
          (f64.sqrt (f64.add (local.get $rest) (f64x2.extract_lane 1 (local.get $sum)))))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $rows))))

  ;; x = A^-1 b with the factor above (envelope-cholesky.ts solve), channel by channel: L y = b row
  ;; by row, y[u] = (b[u] - sum_v L[u][v] y[v]) / L[u][u], the sum as two interleaved ones as in
  ;; factorEnvelope; then L^T x = y from the last row up, y[v] = y[v] - L[u][v] y[u]. `y` is room for
  ;; one channel (count f64), `at` the unknowns' element indices in the level vectors b and x.
  (func (export "solveEnvelope")
    (param $first i32) (param $start i32) (param $l i32) (param $count i32) (param $at i32) (param $k i32)
    (param $b i32) (param $x i32) (param $y i32)
    (local $c i32) (local $u i32) (local $v i32) (local $firstU i32) (local $row i32) (local $sum v128) (local $rest f64)
    (local $value v128)
    (block $channelsDone
      (loop $channels
        (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $k)))
        ;; L y = b
        (local.set $u (i32.const 0))
        (block $forwardDone
          (loop $forward
            (br_if $forwardDone (i32.ge_u (local.get $u) (local.get $count)))
            (local.set $firstU (i32.load (i32.add (local.get $first) (i32.shl (local.get $u) (i32.const 2)))))
            (local.set $row (i32.add (local.get $l) (i32.shl
              (i32.sub (i32.load (i32.add (local.get $start) (i32.shl (local.get $u) (i32.const 2)))) (local.get $firstU))
              (i32.const 3))))
            (local.set $sum (f64x2.replace_lane 0 (v128.const f64x2 0 0)
              (f64.load (i32.add (local.get $b) (i32.shl
                (i32.add (i32.load (i32.add (local.get $at) (i32.shl (local.get $u) (i32.const 2)))) (local.get $c))
                (i32.const 3))))))
            (local.set $v (local.get $firstU))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.ge_u (i32.add (local.get $v) (i32.const 1)) (local.get $u)))
                (local.set $sum (f64x2.sub (local.get $sum) (f64x2.mul
                  (v128.load (i32.add (local.get $row) (i32.shl (local.get $v) (i32.const 3))))
                  (v128.load (i32.add (local.get $y) (i32.shl (local.get $v) (i32.const 3)))))))
                (local.set $v (i32.add (local.get $v) (i32.const 2)))
                (br $pairs)))
            (local.set $rest (f64x2.extract_lane 0 (local.get $sum)))
            (if (i32.lt_u (local.get $v) (local.get $u))
              (then (local.set $rest (f64.sub (local.get $rest) (f64.mul
                (f64.load (i32.add (local.get $row) (i32.shl (local.get $v) (i32.const 3))))
                (f64.load (i32.add (local.get $y) (i32.shl (local.get $v) (i32.const 3)))))))))
            (f64.store (i32.add (local.get $y) (i32.shl (local.get $u) (i32.const 3)))
              (f64.div
                (f64.add (local.get $rest) (f64x2.extract_lane 1 (local.get $sum)))
                (f64.load (i32.add (local.get $row) (i32.shl (local.get $u) (i32.const 3))))))
            (local.set $u (i32.add (local.get $u) (i32.const 1)))
            (br $forward)))
        ;; L^T x = y, from the last row up: row u's entries are column u of L^T
        (local.set $u (local.get $count))
        (block $backwardDone
          (loop $backward
            (br_if $backwardDone (i32.eqz (local.get $u)))
            (local.set $u (i32.sub (local.get $u) (i32.const 1)))
            (local.set $firstU (i32.load (i32.add (local.get $first) (i32.shl (local.get $u) (i32.const 2)))))
            (local.set $row (i32.add (local.get $l) (i32.shl
              (i32.sub (i32.load (i32.add (local.get $start) (i32.shl (local.get $u) (i32.const 2)))) (local.get $firstU))
              (i32.const 3))))
            (local.set $rest (f64.div
              (f64.load (i32.add (local.get $y) (i32.shl (local.get $u) (i32.const 3))))
              (f64.load (i32.add (local.get $row) (i32.shl (local.get $u) (i32.const 3))))))
            (f64.store (i32.add (local.get $y) (i32.shl (local.get $u) (i32.const 3))) (local.get $rest))
            (local.set $value (f64x2.splat (local.get $rest)))
            (local.set $v (local.get $firstU))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.ge_u (i32.add (local.get $v) (i32.const 1)) (local.get $u)))
                (v128.store (i32.add (local.get $y) (i32.shl (local.get $v) (i32.const 3)))
                  (f64x2.sub
                    (v128.load (i32.add (local.get $y) (i32.shl (local.get $v) (i32.const 3))))
                    (f64x2.mul (v128.load (i32.add (local.get $row) (i32.shl (local.get $v) (i32.const 3)))) (local.get $value))))
                (local.set $v (i32.add (local.get $v) (i32.const 2)))
                (br $pairs)))
            (if (i32.lt_u (local.get $v) (local.get $u))
              (then (f64.store (i32.add (local.get $y) (i32.shl (local.get $v) (i32.const 3)))
                (f64.sub
                  (f64.load (i32.add (local.get $y) (i32.shl (local.get $v) (i32.const 3))))
                  (f64.mul (f64.load (i32.add (local.get $row) (i32.shl (local.get $v) (i32.const 3)))) (local.get $rest))))))
            (br $backward)))
        ;; x on the unknowns
        (local.set $u (i32.const 0))
        (block $copyDone
          (loop $copy
            (br_if $copyDone (i32.ge_u (local.get $u) (local.get $count)))
            (f64.store (i32.add (local.get $x) (i32.shl
                (i32.add (i32.load (i32.add (local.get $at) (i32.shl (local.get $u) (i32.const 2)))) (local.get $c))
                (i32.const 3)))
              (f64.load (i32.add (local.get $y) (i32.shl (local.get $u) (i32.const 3)))))
            (local.set $u (i32.add (local.get $u) (i32.const 1)))
            (br $copy)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $channels)))))
