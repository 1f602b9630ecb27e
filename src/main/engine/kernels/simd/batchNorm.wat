;; Training-mode batch norm over the N,H,W axes of a channels-last float32 array, on the tfjs wasm
;; heap (imported memory). Pointers are byte offsets; rows = N·H·W; c, the channel count, is a
;; multiple of 4 (one f32x4 lane group per 4 channels). Per-channel sums accumulate in float64 (two
;; f64x2 per lane group) so the statistics do not depend on the batch size, and are written out as
;; float32 [heads (2c), tails (2c)] like the JS splitDoubles.
(module
  (import "env" "memory" (memory 0))

  ;; Rows per block: a block of a 64-channel layer (16 KiB) stays in L1 while each lane group walks
  ;; down it with its sums in registers.
  (global $BLOCK i32 (i32.const 64))

  ;; out[i] = f32(acc[i]), out[n + i] = f32(acc[i] − out[i]) for the n float64 sums at acc.
  (func $split (param $acc i32) (param $n i32) (param $out i32)
    (local $i i32) (local $v f64) (local $h f32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (f64.load (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $h (f32.demote_f64 (local.get $v)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $h))
        (f32.store
          (i32.add (local.get $out)
            (i32.shl (i32.add (local.get $n) (local.get $i)) (i32.const 2)))
          (f32.demote_f64 (f64.sub (local.get $v) (f64.promote_f32 (local.get $h)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each))))

  ;; acc[2g..2g+4) += (lo, hi): the float64 pair for one lane group, g its byte offset in a row.
  (func $add2 (param $at i32) (param $lo v128) (param $hi v128)
    (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $lo)))
    (v128.store offset=16 (local.get $at)
      (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $hi))))

  ;; Per channel Σx and Σx² → out [heads (2c), tails (2c)]; acc is 16·c bytes of scratch.
  (func (export "bnMoments")
    (param $x i32) (param $rows i32) (param $c i32) (param $acc i32) (param $out i32)
    (local $rowBytes i32) (local $r0 i32) (local $nb i32) (local $g i32) (local $p i32)
    (local $end i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $s0 v128) (local $s1 v128) (local $q0 v128) (local $q1 v128)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $c) (i32.const 4)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $nb (i32.sub (local.get $rows) (local.get $r0)))
        (if (i32.gt_u (local.get $nb) (global.get $BLOCK))
          (then (local.set $nb (global.get $BLOCK))))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $p
            (i32.add (local.get $x)
              (i32.add (i32.mul (local.get $r0) (local.get $rowBytes)) (local.get $g))))
          (local.set $end (i32.add (local.get $p) (i32.mul (local.get $nb) (local.get $rowBytes))))
          (local.set $s0 (v128.const i64x2 0 0))
          (local.set $s1 (v128.const i64x2 0 0))
          (local.set $q0 (v128.const i64x2 0 0))
          (local.set $q1 (v128.const i64x2 0 0))
          (loop $down
            (local.set $v (v128.load (local.get $p)))
            (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $hi (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
                (local.get $v) (local.get $v))))
            (local.set $s0 (f64x2.add (local.get $s0) (local.get $lo)))
            (local.set $s1 (f64x2.add (local.get $s1) (local.get $hi)))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $lo) (local.get $lo))))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $hi) (local.get $hi))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (br_if $down (i32.lt_u (local.get $p) (local.get $end))))
          (call $add2 (i32.add (local.get $acc) (i32.shl (local.get $g) (i32.const 1)))
            (local.get $s0) (local.get $s1))
          (call $add2
            (i32.add (local.get $acc)
              (i32.shl (i32.add (local.get $rowBytes) (local.get $g)) (i32.const 1)))
            (local.get $q0) (local.get $q1))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $rowBytes))))
        (local.set $r0 (i32.add (local.get $r0) (global.get $BLOCK)))
        (br $blocks)))
    (call $split (local.get $acc) (i32.shl (local.get $c) (i32.const 1)) (local.get $out)))

  ;; y = (x − mean)·scale + shift per channel; coef = [mean (c), scale (c), shift (c)].
  (func (export "bnNormalize")
    (param $x i32) (param $out i32) (param $rows i32) (param $c i32) (param $coef i32)
    (local $rowBytes i32) (local $p i32) (local $end i32) (local $g i32) (local $k i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.mul (local.get $rows) (local.get $rowBytes)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $pixels
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $k (i32.add (local.get $coef) (local.get $g)))
          (v128.store (i32.add (local.get $out) (i32.add (local.get $p) (local.get $g)))
            (f32x4.add
              (f32x4.mul
                (f32x4.sub
                  (v128.load (i32.add (local.get $x) (i32.add (local.get $p) (local.get $g))))
                  (v128.load (local.get $k)))
                (v128.load (i32.add (local.get $k) (local.get $rowBytes))))
              (v128.load (i32.add (local.get $k) (i32.shl (local.get $rowBytes) (i32.const 1))))))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $rowBytes))))
        (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
        (br_if $pixels (i32.lt_u (local.get $p) (local.get $end))))))

  ;; Per channel Σdy and Σdy·x̂ with x̂ = (x − mean)·σ⁻¹, coef = [mean (c), σ⁻¹ (c)] → out
  ;; [heads (2c), tails (2c)]; acc is 16·c bytes of scratch.
  (func (export "bnGradSums")
    (param $x i32) (param $dy i32) (param $rows i32) (param $c i32) (param $coef i32)
    (param $acc i32) (param $out i32)
    (local $rowBytes i32) (local $r0 i32) (local $nb i32) (local $g i32) (local $p i32)
    (local $end i32) (local $d v128) (local $e v128) (local $m v128) (local $s v128)
    (local $s0 v128) (local $s1 v128) (local $q0 v128) (local $q1 v128)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $c) (i32.const 4)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $nb (i32.sub (local.get $rows) (local.get $r0)))
        (if (i32.gt_u (local.get $nb) (global.get $BLOCK))
          (then (local.set $nb (global.get $BLOCK))))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $m (v128.load (i32.add (local.get $coef) (local.get $g))))
          (local.set $s
            (v128.load (i32.add (local.get $coef) (i32.add (local.get $rowBytes) (local.get $g)))))
          ;; p: byte offset shared by x and dy
          (local.set $p (i32.add (i32.mul (local.get $r0) (local.get $rowBytes)) (local.get $g)))
          (local.set $end (i32.add (local.get $p) (i32.mul (local.get $nb) (local.get $rowBytes))))
          (local.set $s0 (v128.const i64x2 0 0))
          (local.set $s1 (v128.const i64x2 0 0))
          (local.set $q0 (v128.const i64x2 0 0))
          (local.set $q1 (v128.const i64x2 0 0))
          (loop $down
            (local.set $d (v128.load (i32.add (local.get $dy) (local.get $p))))
            (local.set $e
              (f32x4.mul (local.get $d)
                (f32x4.mul
                  (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $p))) (local.get $m))
                  (local.get $s))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.promote_low_f32x4 (local.get $d))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
                (local.get $d) (local.get $d)))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.promote_low_f32x4 (local.get $e))))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
                (local.get $e) (local.get $e)))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (br_if $down (i32.lt_u (local.get $p) (local.get $end))))
          (call $add2 (i32.add (local.get $acc) (i32.shl (local.get $g) (i32.const 1)))
            (local.get $s0) (local.get $s1))
          (call $add2
            (i32.add (local.get $acc)
              (i32.shl (i32.add (local.get $rowBytes) (local.get $g)) (i32.const 1)))
            (local.get $q0) (local.get $q1))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $rowBytes))))
        (local.set $r0 (i32.add (local.get $r0) (global.get $BLOCK)))
        (br $blocks)))
    (call $split (local.get $acc) (i32.shl (local.get $c) (i32.const 1)) (local.get $out)))

  ;; dx = a·dy − b − (x − mean)·e per channel; coef = [mean, a, b, e], each c long.
  (func (export "bnGradInput")
    (param $x i32) (param $dy i32) (param $out i32) (param $rows i32) (param $c i32)
    (param $coef i32)
    (local $rowBytes i32) (local $p i32) (local $end i32) (local $g i32) (local $k i32)
    (local $i i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.mul (local.get $rows) (local.get $rowBytes)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $pixels
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $k (i32.add (local.get $coef) (local.get $g)))
          (local.set $i (i32.add (local.get $p) (local.get $g)))
          (v128.store (i32.add (local.get $out) (local.get $i))
            (f32x4.sub
              (f32x4.sub
                (f32x4.mul
                  (v128.load (i32.add (local.get $k) (local.get $rowBytes)))
                  (v128.load (i32.add (local.get $dy) (local.get $i))))
                (v128.load (i32.add (local.get $k) (i32.shl (local.get $rowBytes) (i32.const 1)))))
              (f32x4.mul
                (f32x4.sub
                  (v128.load (i32.add (local.get $x) (local.get $i)))
                  (v128.load (local.get $k)))
                (v128.load
                  (i32.add (local.get $k) (i32.mul (local.get $rowBytes) (i32.const 3)))))))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $rowBytes))))
        (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
        (br_if $pixels (i32.lt_u (local.get $p) (local.get $end))))))
)
