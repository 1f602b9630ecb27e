;; Inverted-dropout masks, bit for bit those of rng.ts's fillDropoutMask (mulberry32 of a counter),
;; four entries per step: the generator's state is only a counter, so its outputs are independent
;; hashes that vectorise. The module owns its memory (masks are drawn for any backend); the caller
;; grows it and copies the mask out.
(module
  (memory (export "memory") 1)

  ;; One mulberry32 output per lane of the counter vector s.
  (func $hash (param $s v128) (result v128) (local $t v128)
    (local.set $t
      (i32x4.mul
        (v128.xor (local.get $s) (i32x4.shr_u (local.get $s) (i32.const 15)))
        (v128.or (local.get $s) (i32x4.splat (i32.const 1)))))
    (local.set $t
      (v128.xor (local.get $t)
        (i32x4.add (local.get $t)
          (i32x4.mul
            (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 7)))
            (v128.or (local.get $t) (i32x4.splat (i32.const 61)))))))
    (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 14))))

  ;; n floats at byte offset out: scale where hash(seed + (i + 1)·0x6d2b79f5) < threshold
  ;; (unsigned), else 0. A tail of fewer than four is computed in a full vector and stored lane
  ;; by lane.
  (func (export "mask")
    (param $out i32) (param $n i32) (param $seed i32) (param $threshold i32) (param $scale f32)
    (local $s v128) (local $step v128) (local $thr v128) (local $sc v128) (local $m v128)
    (local $end i32) (local $full i32)
    (local.set $s
      (i32x4.add (i32x4.splat (local.get $seed))
        (i32x4.mul (v128.const i32x4 1 2 3 4) (i32x4.splat (i32.const 0x6d2b79f5)))))
    (local.set $step (i32x4.splat (i32.mul (i32.const 4) (i32.const 0x6d2b79f5))))
    (local.set $thr (i32x4.splat (local.get $threshold)))
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $full (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4))
      (i32.const 2))))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $out) (local.get $full)))
      (v128.store (local.get $out)
        (v128.and (local.get $sc) (i32x4.lt_u (call $hash (local.get $s)) (local.get $thr))))
      (local.set $s (i32x4.add (local.get $s) (local.get $step)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vec)))
    (local.set $m
      (v128.and (local.get $sc) (i32x4.lt_u (call $hash (local.get $s)) (local.get $thr))))
    (if (i32.lt_u (local.get $out) (local.get $end)) (then
      (f32.store (local.get $out) (f32x4.extract_lane 0 (local.get $m)))))
    (if (i32.lt_u (i32.add (local.get $out) (i32.const 4)) (local.get $end)) (then
      (f32.store offset=4 (local.get $out) (f32x4.extract_lane 1 (local.get $m)))))
    (if (i32.lt_u (i32.add (local.get $out) (i32.const 8)) (local.get $end)) (then
      (f32.store offset=8 (local.get $out) (f32x4.extract_lane 2 (local.get $m)))))))
