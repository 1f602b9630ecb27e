;; Convolution (as an implicit matrix product) and matrix products with fused multiply-add (relaxed
;; SIMD): on this kind of machine XNNPACK's wasm kernels, built without FMA, reach about 18 GFLOP/s
;; per core; a 2×16 register block with f32x4.relaxed_madd reaches about 33. Layout NHWC, filter
;; [kH, kW, inC, outC] (row-major [K, outC]), pointers are byte offsets into the tfjs wasm heap
;; (imported memory).
;;
;; For a convolution the input is first copied into a zero-bordered buffer (`pad`), so that every
;; tap of every output pixel is inside it and, for one filter row, the kW·inC values a pixel needs
;; are contiguous: the inner loop is then a plain dot product along memory, with no bounds checks.
(module
  (import "env" "memory" (memory 0))

  ;; xp ← x with padT rows above, padL columns left and zeros wherever x does not reach; xp is
  ;; [batch, Hp, Wp, C]. Only the border is zeroed: the rest is written once, by the copy.
  (func (export "pad")
    (param $x i32) (param $xp i32) (param $batch i32) (param $inH i32) (param $inW i32)
    (param $C i32) (param $Hp i32) (param $Wp i32) (param $padT i32) (param $padL i32)
    (local $n i32) (local $iy i32) (local $rowIn i32) (local $rowOut i32) (local $src i32)
    (local $dst i32) (local $left i32) (local $right i32) (local $below i32)
    (local.set $rowIn (i32.shl (i32.mul (local.get $inW) (local.get $C)) (i32.const 2)))
    (local.set $rowOut (i32.shl (i32.mul (local.get $Wp) (local.get $C)) (i32.const 2)))
    (local.set $left (i32.shl (i32.mul (local.get $padL) (local.get $C)) (i32.const 2)))
    (local.set $right
      (i32.sub (i32.sub (local.get $rowOut) (local.get $left)) (local.get $rowIn)))
    (local.set $below
      (i32.mul (i32.sub (i32.sub (local.get $Hp) (local.get $padT)) (local.get $inH))
        (local.get $rowOut)))
    (local.set $src (local.get $x))
    (local.set $dst (local.get $xp))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_u (local.get $n) (local.get $batch)))
      (memory.fill (local.get $dst) (i32.const 0)
        (i32.mul (local.get $padT) (local.get $rowOut)))
      (local.set $dst
        (i32.add (local.get $dst) (i32.mul (local.get $padT) (local.get $rowOut))))
      (local.set $iy (i32.const 0))
      (block $yDone (loop $yLoop
        (br_if $yDone (i32.ge_u (local.get $iy) (local.get $inH)))
        (memory.fill (local.get $dst) (i32.const 0) (local.get $left))
        (memory.copy (i32.add (local.get $dst) (local.get $left)) (local.get $src)
          (local.get $rowIn))
        (memory.fill (i32.add (i32.add (local.get $dst) (local.get $left)) (local.get $rowIn))
          (i32.const 0) (local.get $right))
        (local.set $src (i32.add (local.get $src) (local.get $rowIn)))
        (local.set $dst (i32.add (local.get $dst) (local.get $rowOut)))
        (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
        (br $yLoop)))
      (memory.fill (local.get $dst) (i32.const 0) (local.get $below))
      (local.set $dst (i32.add (local.get $dst) (local.get $below)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop))))

  ;; Byte offset in xp of output pixel q's top-left tap.
  (func $tapOrigin
    (param $xp i32) (param $q i32) (param $outH i32) (param $outW i32) (param $Hp i32)
    (param $Wp i32) (param $C i32) (param $sH i32) (param $sW i32) (result i32)
    (local $hw i32) (local $n i32) (local $rem i32) (local $oy i32)
    (local.set $hw (i32.mul (local.get $outH) (local.get $outW)))
    (local.set $n (i32.div_u (local.get $q) (local.get $hw)))
    (local.set $rem (i32.sub (local.get $q) (i32.mul (local.get $n) (local.get $hw))))
    (local.set $oy (i32.div_u (local.get $rem) (local.get $outW)))
    (i32.add (local.get $xp)
      (i32.shl
        (i32.mul
          (i32.add
            (i32.mul
              (i32.add (i32.mul (local.get $n) (local.get $Hp))
                (i32.mul (local.get $oy) (local.get $sH)))
              (local.get $Wp))
            (i32.mul (i32.sub (local.get $rem) (i32.mul (local.get $oy) (local.get $outW)))
              (local.get $sW)))
          (local.get $C))
        (i32.const 2))))

  ;; out [batch, outH, outW, outC] = conv(xp, w) + bias (0: none), then LeakyReLU(α) when leaky
  ;; is 1.
  ;; xp is padded (see pad), so the convolution itself is 'valid'; outC must be a multiple of 16.
  ;; Two output pixels × 16 channels accumulate in eight registers; the odd last pixel, if any,
  ;; is computed twice and stored once.
  (func (export "conv")
    (param $xp i32) (param $w i32) (param $bias i32) (param $out i32)
    (param $batch i32) (param $Hp i32) (param $Wp i32) (param $C i32)
    (param $outH i32) (param $outW i32) (param $outC i32) (param $kH i32) (param $kW i32)
    (param $sH i32) (param $sW i32) (param $leaky i32) (param $alpha f32)
    (local $P i32) (local $q i32) (local $p0 i32) (local $p1 i32) (local $has1 i32)
    (local $jb i32) (local $ky i32) (local $a0 i32) (local $a1 i32) (local $end i32)
    (local $wp i32) (local $o i32) (local $run i32) (local $rowBytes i32) (local $wRow i32)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $s0 v128) (local $s1 v128) (local $al v128) (local $zero v128)
    (local.set $al (f32x4.splat (local.get $alpha)))
    (local.set $P (i32.mul (local.get $batch) (i32.mul (local.get $outH) (local.get $outW))))
    (local.set $run (i32.shl (i32.mul (local.get $kW) (local.get $C)) (i32.const 2)))
    (local.set $rowBytes (i32.shl (i32.mul (local.get $Wp) (local.get $C)) (i32.const 2)))
    (local.set $wRow (i32.shl (local.get $outC) (i32.const 2)))
    (block $qDone (loop $qLoop
      (br_if $qDone (i32.ge_u (local.get $q) (local.get $P)))
      (local.set $p0 (call $tapOrigin (local.get $xp) (local.get $q) (local.get $outH)
        (local.get $outW) (local.get $Hp) (local.get $Wp) (local.get $C) (local.get $sH)
        (local.get $sW)))
      (local.set $has1 (i32.lt_u (i32.add (local.get $q) (i32.const 1)) (local.get $P)))
      (local.set $p1
        (select
          (call $tapOrigin (local.get $xp) (i32.add (local.get $q) (i32.const 1))
            (local.get $outH) (local.get $outW) (local.get $Hp) (local.get $Wp) (local.get $C)
            (local.get $sH) (local.get $sW))
          (local.get $p0)
          (local.get $has1)))
      (local.set $jb (i32.const 0))
      (block $jDone (loop $jLoop
        (br_if $jDone (i32.ge_u (local.get $jb) (local.get $wRow)))
        (if (local.get $bias)
          (then
            (local.set $c00 (v128.load (i32.add (local.get $bias) (local.get $jb))))
            (local.set $c01 (v128.load offset=16 (i32.add (local.get $bias) (local.get $jb))))
            (local.set $c02 (v128.load offset=32 (i32.add (local.get $bias) (local.get $jb))))
            (local.set $c03 (v128.load offset=48 (i32.add (local.get $bias) (local.get $jb)))))
          (else
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c02 (v128.const i32x4 0 0 0 0))
            (local.set $c03 (v128.const i32x4 0 0 0 0))))
        (local.set $c10 (local.get $c00))
        (local.set $c11 (local.get $c01))
        (local.set $c12 (local.get $c02))
        (local.set $c13 (local.get $c03))
        (local.set $wp (i32.add (local.get $w) (local.get $jb)))
        (local.set $ky (i32.const 0))
        (block $kyDone (loop $kyLoop
          (br_if $kyDone (i32.ge_u (local.get $ky) (local.get $kH)))
          (local.set $a0 (i32.add (local.get $p0) (i32.mul (local.get $ky) (local.get $rowBytes))))
          (local.set $a1 (i32.add (local.get $p1) (i32.mul (local.get $ky) (local.get $rowBytes))))
          (local.set $end (i32.add (local.get $a0) (local.get $run)))
          (loop $tLoop
            (local.set $b0 (v128.load (local.get $wp)))
            (local.set $b1 (v128.load offset=16 (local.get $wp)))
            (local.set $b2 (v128.load offset=32 (local.get $wp)))
            (local.set $b3 (v128.load offset=48 (local.get $wp)))
            (local.set $s0 (v128.load32_splat (local.get $a0)))
            (local.set $s1 (v128.load32_splat (local.get $a1)))
            (local.set $c00 (f32x4.relaxed_madd (local.get $s0) (local.get $b0) (local.get $c00)))
            (local.set $c01 (f32x4.relaxed_madd (local.get $s0) (local.get $b1) (local.get $c01)))
            (local.set $c02 (f32x4.relaxed_madd (local.get $s0) (local.get $b2) (local.get $c02)))
            (local.set $c03 (f32x4.relaxed_madd (local.get $s0) (local.get $b3) (local.get $c03)))
            (local.set $c10 (f32x4.relaxed_madd (local.get $s1) (local.get $b0) (local.get $c10)))
            (local.set $c11 (f32x4.relaxed_madd (local.get $s1) (local.get $b1) (local.get $c11)))
            (local.set $c12 (f32x4.relaxed_madd (local.get $s1) (local.get $b2) (local.get $c12)))
            (local.set $c13 (f32x4.relaxed_madd (local.get $s1) (local.get $b3) (local.get $c13)))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
            (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
            (local.set $wp (i32.add (local.get $wp) (local.get $wRow)))
            (br_if $tLoop (i32.lt_u (local.get $a0) (local.get $end))))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $kyLoop)))
        (if (local.get $leaky)
          (then
            (local.set $c00
              (v128.bitselect (local.get $c00) (f32x4.mul (local.get $c00) (local.get $al))
                (f32x4.gt (local.get $c00) (local.get $zero))))
            (local.set $c01
              (v128.bitselect (local.get $c01) (f32x4.mul (local.get $c01) (local.get $al))
                (f32x4.gt (local.get $c01) (local.get $zero))))
            (local.set $c02
              (v128.bitselect (local.get $c02) (f32x4.mul (local.get $c02) (local.get $al))
                (f32x4.gt (local.get $c02) (local.get $zero))))
            (local.set $c03
              (v128.bitselect (local.get $c03) (f32x4.mul (local.get $c03) (local.get $al))
                (f32x4.gt (local.get $c03) (local.get $zero))))
            (local.set $c10
              (v128.bitselect (local.get $c10) (f32x4.mul (local.get $c10) (local.get $al))
                (f32x4.gt (local.get $c10) (local.get $zero))))
            (local.set $c11
              (v128.bitselect (local.get $c11) (f32x4.mul (local.get $c11) (local.get $al))
                (f32x4.gt (local.get $c11) (local.get $zero))))
            (local.set $c12
              (v128.bitselect (local.get $c12) (f32x4.mul (local.get $c12) (local.get $al))
                (f32x4.gt (local.get $c12) (local.get $zero))))
            (local.set $c13
              (v128.bitselect (local.get $c13) (f32x4.mul (local.get $c13) (local.get $al))
                (f32x4.gt (local.get $c13) (local.get $zero))))))
        (local.set $o
          (i32.add (local.get $out)
            (i32.add (i32.mul (local.get $q) (local.get $wRow)) (local.get $jb))))
        (v128.store (local.get $o) (local.get $c00))
        (v128.store offset=16 (local.get $o) (local.get $c01))
        (v128.store offset=32 (local.get $o) (local.get $c02))
        (v128.store offset=48 (local.get $o) (local.get $c03))
        (if (local.get $has1)
          (then
            (local.set $o (i32.add (local.get $o) (local.get $wRow)))
            (v128.store (local.get $o) (local.get $c10))
            (v128.store offset=16 (local.get $o) (local.get $c11))
            (v128.store offset=32 (local.get $o) (local.get $c12))
            (v128.store offset=48 (local.get $o) (local.get $c13))))
        (local.set $jb (i32.add (local.get $jb) (i32.const 64)))
        (br $jLoop)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (br $qLoop))))

  ;; C [M, N] = A [M, K] · B [K, N] (+ C when accumulate is 1). A's element (i, k) is at
  ;; a + 4·(i·rsA + k·csA), so a transposed A needs no copy; B and C are row-major with leading
  ;; dimensions ldb, ldc (all in floats). K runs in chunks of 256 so that a chunk of B stays in the
  ;; L2 cache while every row pair of A passes over it. Two rows × 16 columns per register block;
  ;; the last N mod 16 columns of B are first copied into a zero-padded 16-wide panel in scratch
  ;; (16,512 bytes, needed only then) and run through the same block. An odd last row is computed
  ;; twice and stored twice (the same value).
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $N i32) (param $K i32)
    (param $rsA i32) (param $csA i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (param $scratch i32)
    (local $k0 i32) (local $kn i32) (local $load i32) (local $i i32) (local $j i32)
    (local $a0 i32) (local $a1 i32) (local $c0 i32) (local $c1 i32) (local $bp i32)
    (local $tail i32) (local $tailBytes i32) (local $kk i32) (local $t0 i32) (local $t1 i32)
    (local.set $tail (i32.and (local.get $N) (i32.const 15)))
    (local.set $tailBytes (i32.shl (local.get $tail) (i32.const 2)))
    (local.set $t0 (i32.add (local.get $scratch) (i32.const 16384)))
    (local.set $t1 (i32.add (local.get $t0) (i32.const 64)))
    (local.set $rsA (i32.shl (local.get $rsA) (i32.const 2)))
    (local.set $csA (i32.shl (local.get $csA) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (block $kDone (loop $kLoop
      (br_if $kDone (i32.ge_u (local.get $k0) (local.get $K)))
      (local.set $kn (i32.sub (local.get $K) (local.get $k0)))
      (if (i32.gt_u (local.get $kn) (i32.const 256)) (then (local.set $kn (i32.const 256))))
      (local.set $load (i32.or (local.get $accumulate) (i32.ne (local.get $k0) (i32.const 0))))
      ;; The chunk's last columns of B, zero-padded to a 16-wide panel.
      (if (local.get $tail) (then
        (local.set $kk (i32.const 0))
        (block $panelDone (loop $panel
          (br_if $panelDone (i32.ge_u (local.get $kk) (local.get $kn)))
          (memory.fill (i32.add (local.get $scratch) (i32.shl (local.get $kk) (i32.const 6)))
            (i32.const 0) (i32.const 64))
          (memory.copy (i32.add (local.get $scratch) (i32.shl (local.get $kk) (i32.const 6)))
            (i32.add (local.get $b)
              (i32.add (i32.mul (i32.add (local.get $k0) (local.get $kk)) (local.get $ldb))
                (i32.shl (i32.sub (local.get $N) (local.get $tail)) (i32.const 2))))
            (local.get $tailBytes))
          (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
          (br $panel)))))
      (local.set $i (i32.const 0))
      (block $iDone (loop $iLoop
        (br_if $iDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $a0 (i32.add (local.get $a)
          (i32.add (i32.mul (local.get $i) (local.get $rsA))
            (i32.mul (local.get $k0) (local.get $csA)))))
        (local.set $c0 (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))))
        (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $M))
          (then
            (local.set $a1 (i32.add (local.get $a0) (local.get $rsA)))
            (local.set $c1 (i32.add (local.get $c0) (local.get $ldc))))
          (else
            (local.set $a1 (local.get $a0))
            (local.set $c1 (local.get $c0))))
        (local.set $bp (i32.add (local.get $b) (i32.mul (local.get $k0) (local.get $ldb))))
        (local.set $j (i32.const 0))
        (block $j16Done (loop $j16Loop
          (br_if $j16Done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $N)))
          (call $block16 (local.get $a0) (local.get $a1)
            (i32.add (local.get $bp) (i32.shl (local.get $j) (i32.const 2)))
            (i32.add (local.get $c0) (i32.shl (local.get $j) (i32.const 2)))
            (i32.add (local.get $c1) (i32.shl (local.get $j) (i32.const 2)))
            (local.get $kn) (local.get $csA) (local.get $ldb) (local.get $load))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $j16Loop)))
        ;; The last columns through the padded panel, via a two-row 16-wide temp in the scratch.
        (if (local.get $tail) (then
          (local.set $c0 (i32.add (local.get $c0) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $c1 (i32.add (local.get $c1) (i32.shl (local.get $j) (i32.const 2))))
          (if (local.get $load) (then
            (memory.copy (local.get $t0) (local.get $c0) (local.get $tailBytes))
            (memory.copy (local.get $t1) (local.get $c1) (local.get $tailBytes))))
          (call $block16 (local.get $a0) (local.get $a1) (local.get $scratch) (local.get $t0)
            (local.get $t1) (local.get $kn) (local.get $csA) (i32.const 64) (local.get $load))
          (memory.copy (local.get $c1) (local.get $t1) (local.get $tailBytes))
          (memory.copy (local.get $c0) (local.get $t0) (local.get $tailBytes))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $iLoop)))
      (local.set $k0 (i32.add (local.get $k0) (i32.const 256)))
      (br $kLoop))))

  ;; Rows a0 and a1 (kn values each, csA bytes apart) times kn rows of B (16 columns, ldb bytes
  ;; apart) into c0 and c1, added to what they hold when load is 1.
  (func $block16
    (param $a0 i32) (param $a1 i32) (param $bp i32) (param $c0 i32) (param $c1 i32) (param $kn i32)
    (param $csA i32) (param $ldb i32) (param $load i32)
    (local $end i32)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $s0 v128) (local $s1 v128)
    (if (local.get $load)
      (then
        (local.set $c00 (v128.load (local.get $c0)))
        (local.set $c01 (v128.load offset=16 (local.get $c0)))
        (local.set $c02 (v128.load offset=32 (local.get $c0)))
        (local.set $c03 (v128.load offset=48 (local.get $c0)))
        (local.set $c10 (v128.load (local.get $c1)))
        (local.set $c11 (v128.load offset=16 (local.get $c1)))
        (local.set $c12 (v128.load offset=32 (local.get $c1)))
        (local.set $c13 (v128.load offset=48 (local.get $c1)))))
    (local.set $end (i32.add (local.get $a0) (i32.mul (local.get $kn) (local.get $csA))))
    (loop $kLoop
      (local.set $b0 (v128.load (local.get $bp)))
      (local.set $b1 (v128.load offset=16 (local.get $bp)))
      (local.set $b2 (v128.load offset=32 (local.get $bp)))
      (local.set $b3 (v128.load offset=48 (local.get $bp)))
      (local.set $s0 (v128.load32_splat (local.get $a0)))
      (local.set $s1 (v128.load32_splat (local.get $a1)))
      (local.set $c00 (f32x4.relaxed_madd (local.get $s0) (local.get $b0) (local.get $c00)))
      (local.set $c01 (f32x4.relaxed_madd (local.get $s0) (local.get $b1) (local.get $c01)))
      (local.set $c02 (f32x4.relaxed_madd (local.get $s0) (local.get $b2) (local.get $c02)))
      (local.set $c03 (f32x4.relaxed_madd (local.get $s0) (local.get $b3) (local.get $c03)))
      (local.set $c10 (f32x4.relaxed_madd (local.get $s1) (local.get $b0) (local.get $c10)))
      (local.set $c11 (f32x4.relaxed_madd (local.get $s1) (local.get $b1) (local.get $c11)))
      (local.set $c12 (f32x4.relaxed_madd (local.get $s1) (local.get $b2) (local.get $c12)))
      (local.set $c13 (f32x4.relaxed_madd (local.get $s1) (local.get $b3) (local.get $c13)))
      (local.set $a0 (i32.add (local.get $a0) (local.get $csA)))
      (local.set $a1 (i32.add (local.get $a1) (local.get $csA)))
      (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
      (br_if $kLoop (i32.lt_u (local.get $a0) (local.get $end))))
    ;; Row 1 first: when the rows coincide (an odd last row) both stores write the same values.
    (v128.store (local.get $c1) (local.get $c10))
    (v128.store offset=16 (local.get $c1) (local.get $c11))
    (v128.store offset=32 (local.get $c1) (local.get $c12))
    (v128.store offset=48 (local.get $c1) (local.get $c13))
    (v128.store (local.get $c0) (local.get $c00))
    (v128.store offset=16 (local.get $c0) (local.get $c01))
    (v128.store offset=32 (local.get $c0) (local.get $c02))
    (v128.store offset=48 (local.get $c0) (local.get $c03)))
)
