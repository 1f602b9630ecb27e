;; Image bytes → floats in [0, 1], sixteen at a time: b / 255 in float32, which for every byte value
;; is the float the JS loop's b · (1/255) rounds to (tested). The module owns its memory; the caller
;; copies the bytes in and the floats out.
(module
  (memory (export "memory") 1)

  (func (export "toUnit") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $full i32) (local $v v128) (local $h v128) (local $d v128)
    (local.set $d (f32x4.splat (f32.const 255)))
    (local.set $end (i32.add (local.get $src) (local.get $n)))
    (local.set $full (i32.add (local.get $src) (i32.and (local.get $n) (i32.const -16))))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $src) (local.get $full)))
      (local.set $v (v128.load (local.get $src)))
      (local.set $h (i16x8.extend_low_i8x16_u (local.get $v)))
      (v128.store (local.get $dst)
        (f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $h)))
          (local.get $d)))
      (v128.store offset=16 (local.get $dst)
        (f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $h)))
          (local.get $d)))
      (local.set $h (i16x8.extend_high_i8x16_u (local.get $v)))
      (v128.store offset=32 (local.get $dst)
        (f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $h)))
          (local.get $d)))
      (v128.store offset=48 (local.get $dst)
        (f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $h)))
          (local.get $d)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
      (br $vec)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $src) (local.get $end)))
      (f32.store (local.get $dst)
        (f32.div (f32.convert_i32_u (i32.load8_u (local.get $src))) (f32.const 255)))
      (local.set $src (i32.add (local.get $src) (i32.const 1)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $tail))))
)
