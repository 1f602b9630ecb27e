;; LeakyReLU with an optional inverted-dropout mask, forward and gradient, and the inference-time
;; per-channel affine map + LeakyReLU, in f32x4 lanes on the tfjs wasm heap (imported memory).
;; Pointers are byte offsets; n counts floats. Lanes pick v or α·v with a compare mask (no branches),
;; which is exactly the stock kernel's `v > 0 ? v : α·v`.
(module
  (import "env" "memory" (memory 0))

  ;; out = leaky(x)
  (func (export "leaky") (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $end i32) (local $a v128) (local $v v128) (local $s f32)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.eqz (local.get $end)))
      (loop $vec
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $a))
            (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $vec (i32.lt_u (local.get $i) (local.get $end)))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $tail
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select (local.get $s) (f32.mul (local.get $s) (local.get $alpha))
            (f32.gt (local.get $s) (f32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; out = leaky(x)·mask
  (func (export "leakyMask")
    (param $x i32) (param $mask i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $end i32) (local $a v128) (local $v v128) (local $s f32)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.eqz (local.get $end)))
      (loop $vec
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul
            (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $a))
              (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
            (v128.load (i32.add (local.get $mask) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $vec (i32.lt_u (local.get $i) (local.get $end)))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $tail
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.mul
            (select (local.get $s) (f32.mul (local.get $s) (local.get $alpha))
              (f32.gt (local.get $s) (f32.const 0)))
            (f32.load (i32.add (local.get $mask) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; out = dy·(1 if x > 0 else α)
  (func (export "leakyGrad")
    (param $x i32) (param $dy i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $end i32) (local $a v128)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.eqz (local.get $end)))
      (loop $vec
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul
            (v128.load (i32.add (local.get $dy) (local.get $i)))
            (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $a)
              (f32x4.gt (v128.load (i32.add (local.get $x) (local.get $i)))
                (v128.const f32x4 0 0 0 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $vec (i32.lt_u (local.get $i) (local.get $end)))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $tail
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.mul
            (f32.load (i32.add (local.get $dy) (local.get $i)))
            (select (f32.const 1) (local.get $alpha)
              (f32.gt (f32.load (i32.add (local.get $x) (local.get $i))) (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; out = dy·mask·(1 if x > 0 else α)
  (func (export "leakyMaskGrad")
    (param $x i32) (param $mask i32) (param $dy i32) (param $out i32) (param $n i32)
    (param $alpha f32)
    (local $i i32) (local $end i32) (local $a v128)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.eqz (local.get $end)))
      (loop $vec
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul
            (f32x4.mul
              (v128.load (i32.add (local.get $dy) (local.get $i)))
              (v128.load (i32.add (local.get $mask) (local.get $i))))
            (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $a)
              (f32x4.gt (v128.load (i32.add (local.get $x) (local.get $i)))
                (v128.const f32x4 0 0 0 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $vec (i32.lt_u (local.get $i) (local.get $end)))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $tail
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.mul
            (f32.mul
              (f32.load (i32.add (local.get $dy) (local.get $i)))
              (f32.load (i32.add (local.get $mask) (local.get $i))))
            (select (f32.const 1) (local.get $alpha)
              (f32.gt (f32.load (i32.add (local.get $x) (local.get $i))) (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; out = leaky(x·scale + shift) per channel; coef = [scale (c), shift (c)]; c a multiple of 4.
  (func (export "affineLeaky")
    (param $x i32) (param $out i32) (param $rows i32) (param $c i32) (param $coef i32)
    (param $alpha f32)
    (local $rowBytes i32) (local $p i32) (local $end i32) (local $g i32) (local $a v128)
    (local $y v128)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.mul (local.get $rows) (local.get $rowBytes)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $pixels
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $y
            (f32x4.add
              (f32x4.mul
                (v128.load (i32.add (local.get $x) (i32.add (local.get $p) (local.get $g))))
                (v128.load (i32.add (local.get $coef) (local.get $g))))
              (v128.load
                (i32.add (local.get $coef) (i32.add (local.get $rowBytes) (local.get $g))))))
          (v128.store (i32.add (local.get $out) (i32.add (local.get $p) (local.get $g)))
            (v128.bitselect (local.get $y) (f32x4.mul (local.get $y) (local.get $a))
              (f32x4.gt (local.get $y) (v128.const f32x4 0 0 0 0))))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $g) (local.get $rowBytes))))
        (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
        (br_if $pixels (i32.lt_u (local.get $p) (local.get $end))))))

  ;; affineLeaky for any channel count (an RGB output's bias), one float at a time.
  (func (export "affineLeakyAny")
    (param $x i32) (param $out i32) (param $rows i32) (param $c i32) (param $coef i32)
    (param $alpha f32)
    (local $rowBytes i32) (local $p i32) (local $end i32) (local $g i32) (local $y f32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.mul (local.get $rows) (local.get $rowBytes)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $pixels
        (local.set $g (i32.const 0))
        (loop $channels
          (local.set $y
            (f32.add
              (f32.mul
                (f32.load (i32.add (local.get $x) (i32.add (local.get $p) (local.get $g))))
                (f32.load (i32.add (local.get $coef) (local.get $g))))
              (f32.load
                (i32.add (local.get $coef) (i32.add (local.get $rowBytes) (local.get $g))))))
          (f32.store (i32.add (local.get $out) (i32.add (local.get $p) (local.get $g)))
            (select (local.get $y) (f32.mul (local.get $y) (local.get $alpha))
              (f32.gt (local.get $y) (f32.const 0))))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br_if $channels (i32.lt_u (local.get $g) (local.get $rowBytes))))
        (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
        (br_if $pixels (i32.lt_u (local.get $p) (local.get $end))))))
)
