;; Direct 2-D convolution, NHWC, for filters with few taps × input channels (a first layer's 3×3×3):
;; there the wasm backend's XNNPACK path runs at a fraction of its speed on wider layers. Each output
;; pixel's 16-channel block accumulates in four f32x4 registers over the taps inside the image,
;; then gets its bias and, optionally, LeakyReLU(α). Pointers are byte offsets into the tfjs wasm
;; heap (imported memory); filter [kH, kW, inC, outC]; outC a multiple of 16.
(module
  (import "env" "memory" (memory 0))

  (func (export "convDirect")
    (param $x i32) (param $w i32) (param $bias i32) (param $out i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $inC i32)
    (param $outH i32) (param $outW i32) (param $outC i32) (param $kH i32) (param $kW i32)
    (param $sH i32) (param $sW i32) (param $pT i32) (param $pL i32)
    (param $leaky i32) (param $alpha f32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $ob i32) (local $ky i32) (local $kx i32)
    (local $iy i32) (local $ix i32) (local $ci i32) (local $xp i32) (local $wp i32) (local $o i32)
    (local $wRow i32) (local $outRow i32)
    (local $s v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $al v128)
    (local.set $al (f32x4.splat (local.get $alpha)))
    (local.set $wRow (i32.shl (local.get $outC) (i32.const 2)))
    (local.set $o (local.get $out))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_u (local.get $n) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $oyDone (loop $oyLoop
        (br_if $oyDone (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $ox (i32.const 0))
        (block $oxDone (loop $oxLoop
          (br_if $oxDone (i32.ge_u (local.get $ox) (local.get $outW)))
          (local.set $ob (i32.const 0))
          (block $obDone (loop $obLoop
            (br_if $obDone (i32.ge_u (local.get $ob) (local.get $wRow)))
            (if (local.get $bias)
              (then
                (local.set $a0 (v128.load (i32.add (local.get $bias) (local.get $ob))))
                (local.set $a1 (v128.load offset=16 (i32.add (local.get $bias) (local.get $ob))))
                (local.set $a2 (v128.load offset=32 (i32.add (local.get $bias) (local.get $ob))))
                (local.set $a3 (v128.load offset=48 (i32.add (local.get $bias) (local.get $ob)))))
              (else
                (local.set $a0 (v128.const i32x4 0 0 0 0))
                (local.set $a1 (v128.const i32x4 0 0 0 0))
                (local.set $a2 (v128.const i32x4 0 0 0 0))
                (local.set $a3 (v128.const i32x4 0 0 0 0))))
            (local.set $ky (i32.const 0))
            (block $kyDone (loop $kyLoop
              (br_if $kyDone (i32.ge_u (local.get $ky) (local.get $kH)))
              (local.set $iy
                (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $pT))
                  (local.get $ky)))
              (if (i32.lt_u (local.get $iy) (local.get $inH)) (then
                (local.set $kx (i32.const 0))
                (block $kxDone (loop $kxLoop
                  (br_if $kxDone (i32.ge_u (local.get $kx) (local.get $kW)))
                  (local.set $ix
                    (i32.add (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $pL))
                      (local.get $kx)))
                  ;; unsigned compare: a negative index wraps above inW
                  (if (i32.lt_u (local.get $ix) (local.get $inW)) (then
                    (local.set $xp
                      (i32.add (local.get $x)
                        (i32.shl
                          (i32.mul
                            (i32.add
                              (i32.mul
                                (i32.add (i32.mul (local.get $n) (local.get $inH)) (local.get $iy))
                                (local.get $inW))
                              (local.get $ix))
                            (local.get $inC))
                          (i32.const 2))))
                    (local.set $wp
                      (i32.add (i32.add (local.get $w) (local.get $ob))
                        (i32.mul
                          (i32.mul
                            (i32.add (i32.mul (local.get $ky) (local.get $kW)) (local.get $kx))
                            (local.get $inC))
                          (local.get $wRow))))
                    (local.set $ci (i32.const 0))
                    (loop $cLoop
                      (local.set $s (v128.load32_splat (local.get $xp)))
                      (local.set $a0 (f32x4.add (local.get $a0)
                        (f32x4.mul (local.get $s) (v128.load (local.get $wp)))))
                      (local.set $a1 (f32x4.add (local.get $a1)
                        (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $wp)))))
                      (local.set $a2 (f32x4.add (local.get $a2)
                        (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $wp)))))
                      (local.set $a3 (f32x4.add (local.get $a3)
                        (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $wp)))))
                      (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
                      (local.set $wp (i32.add (local.get $wp) (local.get $wRow)))
                      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                      (br_if $cLoop (i32.lt_u (local.get $ci) (local.get $inC))))))
                  (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                  (br $kxLoop)))))
              (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
              (br $kyLoop)))
            (if (local.get $leaky)
              (then
                (local.set $a0 (v128.bitselect (local.get $a0)
                  (f32x4.mul (local.get $a0) (local.get $al))
                  (f32x4.gt (local.get $a0) (v128.const f32x4 0 0 0 0))))
                (local.set $a1 (v128.bitselect (local.get $a1)
                  (f32x4.mul (local.get $a1) (local.get $al))
                  (f32x4.gt (local.get $a1) (v128.const f32x4 0 0 0 0))))
                (local.set $a2 (v128.bitselect (local.get $a2)
                  (f32x4.mul (local.get $a2) (local.get $al))
                  (f32x4.gt (local.get $a2) (v128.const f32x4 0 0 0 0))))
                (local.set $a3 (v128.bitselect (local.get $a3)
                  (f32x4.mul (local.get $a3) (local.get $al))
                  (f32x4.gt (local.get $a3) (v128.const f32x4 0 0 0 0))))))
            (v128.store (i32.add (local.get $o) (local.get $ob)) (local.get $a0))
            (v128.store offset=16 (i32.add (local.get $o) (local.get $ob)) (local.get $a1))
            (v128.store offset=32 (i32.add (local.get $o) (local.get $ob)) (local.get $a2))
            (v128.store offset=48 (i32.add (local.get $o) (local.get $ob)) (local.get $a3))
            (local.set $ob (i32.add (local.get $ob) (i32.const 64)))
            (br $obLoop)))
          (local.set $o (i32.add (local.get $o) (local.get $wRow)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxLoop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop))))
)
