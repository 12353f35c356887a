;; SPDX-License-Identifier: Apache-2.0
;; Felzenszwalb's merge passes over a contracted graph (felzenszwalbMerge in felzenszwalb.ts, its
;; JS fallback; docs/decisions/0013, addendum of session 44): the graph's sorted edges, the nodes
;; and the merge's arrays all live in one WebAssembly.Memory (felzenszwalb-arena.ts lays them out),
;; so nothing is copied in.
;;
;; The components are kept as "quick-find" lists rather than the JS fallback's union-find trees:
;; comp[n] is the representative of node n's component, and each component's nodes are chained
;; through next[] (-1 ends a chain; tail[] is each representative's last node). A join relabels
;; the smaller component's nodes (each node is relabelled at most log2(nodes) times), so finding an
;; edge's components is one load per end, with no loop whose length the CPU must guess. The merge
;; test of an edge is computed without branches (one branch on its outcome): with the union-find
;; and a branch per test, mispredictions were most of the time (Node 20: 8.2 -> 4.8 ms per six
;; scales of an MNIST digit at 224).
;;
;; Only the partition matters to the labels (they are numbered by each component's first node),
;; and every decision hangs on component sizes and thresholds, never on which node represents a
;; component, so these lists give the JS union-find's labels. f64 arithmetic is IEEE 754 here as
;; in JS: the thresholds k / |C| and w + k / |C| are the same bits.
;; All addresses are byte offsets into the memory; node and edge arrays are i32, costs and
;; thresholds f64. Compiled by packages/core/scripts/compile-wat.mjs into felzenszwalb.generated.ts.
(module
  (import "env" "memory" (memory 0))

  ;; Joins the components represented by $a and $b under the larger (ties: under $a), relabelling
  ;; the other's nodes; returns the new representative. Sizes are in $size, by representative.
  (func $join (param $a i32) (param $b i32) (param $comp i32) (param $next i32) (param $tail i32) (param $size i32)
    (result i32)
    (local $sizeA i32) (local $sizeB i32) (local $swap i32) (local $n i32)
    (local.set $sizeA (i32.load (i32.add (local.get $size) (i32.shl (local.get $a) (i32.const 2)))))
    (local.set $sizeB (i32.load (i32.add (local.get $size) (i32.shl (local.get $b) (i32.const 2)))))
    (if (i32.lt_s (local.get $sizeA) (local.get $sizeB))
      (then
        (local.set $swap (local.get $a))
        (local.set $a (local.get $b))
        (local.set $b (local.get $swap))))
    ;; every node of b's chain now names a
    (local.set $n (local.get $b))
    (loop $relabel
      (i32.store (i32.add (local.get $comp) (i32.shl (local.get $n) (i32.const 2))) (local.get $a))
      (local.set $n (i32.load (i32.add (local.get $next) (i32.shl (local.get $n) (i32.const 2)))))
      (br_if $relabel (i32.ge_s (local.get $n) (i32.const 0))))
    ;; b's chain hangs after a's last node
    (i32.store
      (i32.add (local.get $next) (i32.shl (i32.load (i32.add (local.get $tail) (i32.shl (local.get $a) (i32.const 2)))) (i32.const 2)))
      (local.get $b))
    (i32.store
      (i32.add (local.get $tail) (i32.shl (local.get $a) (i32.const 2)))
      (i32.load (i32.add (local.get $tail) (i32.shl (local.get $b) (i32.const 2)))))
    (i32.store (i32.add (local.get $size) (i32.shl (local.get $a) (i32.const 2))) (i32.add (local.get $sizeA) (local.get $sizeB)))
    (local.get $a))

  ;; Every node its own component (size from $nodeSize, threshold k / size), then Kruskal-style
  ;; merging along the $edges sorted edges while w <= threshold(a) and w <= threshold(b); a merge
  ;; sets the new component's threshold to w + k / |C|.
  (func (export "merge")
    (param $from i32) (param $to i32) (param $cost i32) (param $edges i32)
    (param $nodeSize i32) (param $nodes i32)
    (param $comp i32) (param $next i32) (param $tail i32) (param $size i32) (param $threshold i32) (param $k f64)
    (local $i i32) (local $a i32) (local $b i32) (local $w f64) (local $r i32) (local $s i32)
    (block $done
      (loop $node
        (br_if $done (i32.ge_u (local.get $i) (local.get $nodes)))
        (i32.store (i32.add (local.get $comp) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
        (i32.store (i32.add (local.get $next) (i32.shl (local.get $i) (i32.const 2))) (i32.const -1))
        (i32.store (i32.add (local.get $tail) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
        (local.set $s (i32.load (i32.add (local.get $nodeSize) (i32.shl (local.get $i) (i32.const 2)))))
        (i32.store (i32.add (local.get $size) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
        (f64.store
          (i32.add (local.get $threshold) (i32.shl (local.get $i) (i32.const 3)))
          (f64.div (local.get $k) (f64.convert_i32_s (local.get $s))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $node)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $edge
        (br_if $done (i32.ge_u (local.get $i) (local.get $edges)))
        (local.set $a (i32.load (i32.add (local.get $comp) (i32.shl (i32.load (i32.add (local.get $from) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))))
        (local.set $b (i32.load (i32.add (local.get $comp) (i32.shl (i32.load (i32.add (local.get $to) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))))
        (local.set $w (f64.load (i32.add (local.get $cost) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        ;; a != b and w <= threshold(a) and w <= threshold(b), as one value (the thresholds of
        ;; a = b are read too: harmless, and cheaper than a branch)
        (br_if $edge
          (i32.eqz
            (i32.and
              (i32.ne (local.get $a) (local.get $b))
              (i32.and
                (f64.le (local.get $w) (f64.load (i32.add (local.get $threshold) (i32.shl (local.get $a) (i32.const 3)))))
                (f64.le (local.get $w) (f64.load (i32.add (local.get $threshold) (i32.shl (local.get $b) (i32.const 3)))))))))
        (local.set $r
          (call $join (local.get $a) (local.get $b) (local.get $comp) (local.get $next) (local.get $tail) (local.get $size)))
        (f64.store
          (i32.add (local.get $threshold) (i32.shl (local.get $r) (i32.const 3)))
          (f64.add
            (local.get $w)
            (f64.div (local.get $k) (f64.convert_i32_s (i32.load (i32.add (local.get $size) (i32.shl (local.get $r) (i32.const 2))))))))
        (br $edge))))

  ;; 1 where the component represented by $r has fewer than $minSize nodes' pixels, else 0.
  (func $isSmall (param $size i32) (param $r i32) (param $minSize i32) (result i32)
    (i32.lt_s (i32.load (i32.add (local.get $size) (i32.shl (local.get $r) (i32.const 2)))) (local.get $minSize)))

  ;; Felzenszwalb's second pass after "merge": along the edges in order, a component smaller than
  ;; $minSize joins its neighbour; stops once no small component is left (the remaining edges
  ;; would change nothing).
  (func (export "joinSmall")
    (param $from i32) (param $to i32) (param $edges i32) (param $nodes i32)
    (param $comp i32) (param $next i32) (param $tail i32) (param $size i32) (param $minSize i32)
    (local $i i32) (local $a i32) (local $b i32) (local $small i32) (local $smallEnds i32) (local $r i32)
    (block $counted
      (loop $node
        (br_if $counted (i32.ge_u (local.get $i) (local.get $nodes)))
        (if (i32.eq (i32.load (i32.add (local.get $comp) (i32.shl (local.get $i) (i32.const 2)))) (local.get $i))
          (then
            (local.set $small
              (i32.add (local.get $small) (call $isSmall (local.get $size) (local.get $i) (local.get $minSize))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $node)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $edge
        (br_if $done (i32.or (i32.ge_u (local.get $i) (local.get $edges)) (i32.eqz (local.get $small))))
        (local.set $a (i32.load (i32.add (local.get $comp) (i32.shl (i32.load (i32.add (local.get $from) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))))
        (local.set $b (i32.load (i32.add (local.get $comp) (i32.shl (i32.load (i32.add (local.get $to) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        ;; ends in two components (most edges lie inside one by now: a branch the CPU predicts),
        ;; at least one of them small (the a = b test first and these loads written out rather
        ;; than called halved this pass's time in Node 20)
        (br_if $edge (i32.eq (local.get $a) (local.get $b)))
        (local.set $smallEnds
          (i32.add
            (i32.lt_s (i32.load (i32.add (local.get $size) (i32.shl (local.get $a) (i32.const 2)))) (local.get $minSize))
            (i32.lt_s (i32.load (i32.add (local.get $size) (i32.shl (local.get $b) (i32.const 2)))) (local.get $minSize))))
        (br_if $edge (i32.eqz (local.get $smallEnds)))
        (local.set $r
          (call $join (local.get $a) (local.get $b) (local.get $comp) (local.get $next) (local.get $tail) (local.get $size)))
        (local.set $small
          (i32.sub
            (local.get $small)
            (i32.sub (local.get $smallEnds) (call $isSmall (local.get $size) (local.get $r) (local.get $minSize)))))
        (br $edge))))

  ;; Labels 0 .. count - 1 of the components in order of their first node (scratch: $number, one
  ;; i32 per node), written for every pixel from its node ($node, $pixels of them) into $labels;
  ;; returns count.
  (func (export "label")
    (param $node i32) (param $pixels i32) (param $nodes i32) (param $comp i32) (param $number i32) (param $labels i32)
    (result i32)
    (local $i i32) (local $r i32) (local $count i32)
    (block $cleared
      (loop $clear
        (br_if $cleared (i32.ge_u (local.get $i) (local.get $nodes)))
        (i32.store (i32.add (local.get $number) (i32.shl (local.get $i) (i32.const 2))) (i32.const -1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $clear)))
    ;; numbered at first sight, walking the nodes in order
    (local.set $i (i32.const 0))
    (block $numbered
      (loop $first
        (br_if $numbered (i32.ge_u (local.get $i) (local.get $nodes)))
        (local.set $r (i32.shl (i32.load (i32.add (local.get $comp) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))
        (if (i32.lt_s (i32.load (i32.add (local.get $number) (local.get $r))) (i32.const 0))
          (then
            (i32.store (i32.add (local.get $number) (local.get $r)) (local.get $count))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $first)))
    (local.set $i (i32.const 0))
    (block $labelled
      (loop $pixel
        (br_if $labelled (i32.ge_u (local.get $i) (local.get $pixels)))
        (i32.store
          (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))
          (i32.load
            (i32.add
              (local.get $number)
              (i32.shl (i32.load (i32.add (local.get $comp) (i32.shl (i32.load (i32.add (local.get $node) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pixel)))
    (local.get $count))
)
