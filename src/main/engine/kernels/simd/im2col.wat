;; im2col's transpose and col2im on NHWC float32 arrays on the tfjs wasm heap (imported memory), for
;; a convolution's filter and input gradients. Pointers are byte offsets; the geometry is the
;; ConvGeometry of ../im2col.ts, passed as i32s. Runs of 4 channels move as f32x4 lanes; the
;; transposed patch matrix is written in 4×4 tiles (4 channels × 4 output columns) so that both
;; the gathering loads and the row stores stay whole vectors.
(module
  (import "env" "memory" (memory 0))

  ;; Zeroes the columns [0, lo) and [hi, outW) of one row segment (all of it when hi is 0): a
  ;; whole segment is one fill, the edges (a column or two) plain stores, cheaper than fill calls.
  (func $zeroEdges (param $row i32) (param $lo i32) (param $hi i32) (param $outW i32)
    (local $i i32)
    (if (i32.eqz (local.get $hi))
      (then
        (memory.fill (local.get $row) (i32.const 0) (i32.shl (local.get $outW) (i32.const 2)))
        (return)))
    (block $loDone (loop $loLoop
      (br_if $loDone (i32.ge_s (local.get $i) (local.get $lo)))
      (f32.store (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $loLoop)))
    (local.set $i (local.get $hi))
    (block $hiDone (loop $hiLoop
      (br_if $hiDone (i32.ge_s (local.get $i) (local.get $outW)))
      (f32.store (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $hiLoop))))

  ;; out [kH·kW·inC, batch·outH·outW]: row (tap, ci) holds that tap's input value under every
  ;; output pixel, zero where the tap falls outside the image. Each pass fills 4 channels' rows
  ;; (one at a time for the last inC mod 4) from end to end, so the writes run as 4 sequential
  ;; streams; the reads revisit one image, which stays in cache.
  (func (export "im2colT")
    (param $x i32) (param $out i32) (param $batch i32) (param $inH i32) (param $inW i32)
    (param $inC i32) (param $outH i32) (param $outW i32) (param $kH i32) (param $kW i32)
    (param $sH i32) (param $sW i32) (param $pT i32) (param $pL i32)
    (local $rowStride i32) (local $xStep i32) (local $seg i32) (local $n i32) (local $oy i32)
    (local $ky i32) (local $kx i32) (local $iy i32) (local $lo i32) (local $hi i32) (local $m i32)
    (local $tapRow i32) (local $ci i32) (local $lanes i32) (local $d0 i32) (local $d i32)
    (local $s i32) (local $ox i32) (local $r i32)
    (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowStride
      (i32.shl (i32.mul (local.get $batch) (i32.mul (local.get $outH) (local.get $outW)))
        (i32.const 2)))
    (local.set $xStep (i32.shl (i32.mul (local.get $sW) (local.get $inC)) (i32.const 2)))
    (local.set $seg (i32.shl (local.get $outW) (i32.const 2)))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_u (local.get $n) (local.get $batch)))
      (local.set $ky (i32.const 0))
      (block $kyDone (loop $kyLoop
        (br_if $kyDone (i32.ge_u (local.get $ky) (local.get $kH)))
        (local.set $kx (i32.const 0))
        (block $kxDone (loop $kxLoop
          (br_if $kxDone (i32.ge_u (local.get $kx) (local.get $kW)))
          ;; output columns [lo, hi) read inside the image, the same for every output row
          (local.set $m (i32.sub (local.get $pL) (local.get $kx)))
          (local.set $lo
            (select
              (i32.div_u (i32.add (local.get $m) (i32.sub (local.get $sW) (i32.const 1)))
                (local.get $sW))
              (i32.const 0)
              (i32.gt_s (local.get $m) (i32.const 0))))
          (if (i32.gt_s (local.get $lo) (local.get $outW)) (then (local.set $lo (local.get $outW))))
          (local.set $m (i32.add (local.get $inW) (local.get $m)))
          (local.set $hi
            (select
              (i32.div_u (i32.add (local.get $m) (i32.sub (local.get $sW) (i32.const 1)))
                (local.get $sW))
              (i32.const 0)
              (i32.gt_s (local.get $m) (i32.const 0))))
          (if (i32.gt_s (local.get $hi) (local.get $outW)) (then (local.set $hi (local.get $outW))))
          (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
          ;; this tap's row for ci = 0, at this image's first output pixel
          (local.set $tapRow
            (i32.add (local.get $out)
              (i32.add
                (i32.mul
                  (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kW)) (local.get $kx))
                    (local.get $inC))
                  (local.get $rowStride))
                (i32.shl
                  (i32.mul (local.get $n) (i32.mul (local.get $outH) (local.get $outW)))
                  (i32.const 2)))))
          (local.set $ci (i32.const 0))
          (block $cDone (loop $cLoop
            (br_if $cDone (i32.ge_u (local.get $ci) (local.get $inC)))
            (local.set $lanes
              (select (i32.const 4) (i32.const 1)
                (i32.ge_u (i32.sub (local.get $inC) (local.get $ci)) (i32.const 4))))
            (local.set $d0
              (i32.add (local.get $tapRow) (i32.mul (local.get $ci) (local.get $rowStride))))
            (local.set $oy (i32.const 0))
            (block $oyDone (loop $oyLoop
              (br_if $oyDone (i32.ge_u (local.get $oy) (local.get $outH)))
              (local.set $iy
                (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $pT))
                  (local.get $ky)))
              (if (i32.or (i32.ge_u (local.get $iy) (local.get $inH))
                    (i32.eq (local.get $lo) (local.get $hi)))
                (then
                  ;; the tap is outside the image for this whole output row (iy < 0 wraps high)
                  (local.set $r (i32.const 0))
                  (loop $zr
                    (call $zeroEdges
                      (i32.add (local.get $d0) (i32.mul (local.get $r) (local.get $rowStride)))
                      (i32.const 0) (i32.const 0) (local.get $outW))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br_if $zr (i32.lt_u (local.get $r) (local.get $lanes)))))
                (else
                  (local.set $r (i32.const 0))
                  (loop $ze
                    (call $zeroEdges
                      (i32.add (local.get $d0) (i32.mul (local.get $r) (local.get $rowStride)))
                      (local.get $lo) (local.get $hi) (local.get $outW))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br_if $ze (i32.lt_u (local.get $r) (local.get $lanes))))
                  (local.set $s
                    (i32.add (local.get $x)
                      (i32.shl
                        (i32.add
                          (i32.mul
                            (i32.add
                              (i32.mul
                                (i32.add (i32.mul (local.get $n) (local.get $inH))
                                  (local.get $iy))
                                (local.get $inW))
                              (i32.add
                                (i32.sub (i32.mul (local.get $lo) (local.get $sW))
                                  (local.get $pL))
                                (local.get $kx)))
                            (local.get $inC))
                          (local.get $ci))
                        (i32.const 2))))
                  (local.set $d (i32.add (local.get $d0) (i32.shl (local.get $lo) (i32.const 2))))
                  (local.set $ox (local.get $lo))
                  (if (i32.eq (local.get $lanes) (i32.const 4))
                    (then
                      ;; 4×4 tiles: 4 channels of 4 successive output columns
                      (block $tDone (loop $tLoop
                        (if (i32.gt_s (i32.add (local.get $ox) (i32.const 4)) (local.get $hi))
                          (then
                            (br_if $tDone
                              (i32.or (i32.ge_s (local.get $ox) (local.get $hi))
                                (i32.lt_s (i32.sub (local.get $hi) (local.get $lo)) (i32.const 4))))
                            ;; back up so that one last whole tile ends at hi: the columns it
                            ;; overlaps get the same values again
                            (local.set $m
                              (i32.sub (i32.add (local.get $ox) (i32.const 4)) (local.get $hi)))
                            (local.set $d
                              (i32.sub (local.get $d) (i32.shl (local.get $m) (i32.const 2))))
                            (local.set $s
                              (i32.sub (local.get $s) (i32.mul (local.get $m) (local.get $xStep))))
                            (local.set $ox (i32.sub (local.get $hi) (i32.const 4)))))
                        (local.set $a (v128.load (local.get $s)))
                        (local.set $b (v128.load (i32.add (local.get $s) (local.get $xStep))))
                        (local.set $s
                          (i32.add (local.get $s) (i32.shl (local.get $xStep) (i32.const 1))))
                        (local.set $c (v128.load (local.get $s)))
                        (local.set $e (v128.load (i32.add (local.get $s) (local.get $xStep))))
                        (local.set $s
                          (i32.add (local.get $s) (i32.shl (local.get $xStep) (i32.const 1))))
                        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                          (local.get $a) (local.get $b)))
                        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                          (local.get $a) (local.get $b)))
                        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                          (local.get $c) (local.get $e)))
                        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                          (local.get $c) (local.get $e)))
                        (v128.store (local.get $d)
                          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                            (local.get $t0) (local.get $t2)))
                        (v128.store (i32.add (local.get $d) (local.get $rowStride))
                          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
                            (local.get $t0) (local.get $t2)))
                        (v128.store
                          (i32.add (local.get $d) (i32.shl (local.get $rowStride) (i32.const 1)))
                          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                            (local.get $t1) (local.get $t3)))
                        (v128.store
                          (i32.add (local.get $d) (i32.mul (local.get $rowStride) (i32.const 3)))
                          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
                            (local.get $t1) (local.get $t3)))
                        (local.set $d (i32.add (local.get $d) (i32.const 16)))
                        (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                        (br $tLoop)))
                      ;; fewer than 4 columns in all: one at a time
                      (block $rDone (loop $rLoop
                        (br_if $rDone (i32.ge_s (local.get $ox) (local.get $hi)))
                        (f32.store (local.get $d) (f32.load (local.get $s)))
                        (f32.store (i32.add (local.get $d) (local.get $rowStride))
                          (f32.load offset=4 (local.get $s)))
                        (f32.store
                          (i32.add (local.get $d) (i32.shl (local.get $rowStride) (i32.const 1)))
                          (f32.load offset=8 (local.get $s)))
                        (f32.store
                          (i32.add (local.get $d) (i32.mul (local.get $rowStride) (i32.const 3)))
                          (f32.load offset=12 (local.get $s)))
                        (local.set $d (i32.add (local.get $d) (i32.const 4)))
                        (local.set $s (i32.add (local.get $s) (local.get $xStep)))
                        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                        (br $rLoop))))
                    (else
                      ;; one channel
                      (block $oDone (loop $oLoop
                        (br_if $oDone (i32.ge_s (local.get $ox) (local.get $hi)))
                        (f32.store (local.get $d) (f32.load (local.get $s)))
                        (local.set $d (i32.add (local.get $d) (i32.const 4)))
                        (local.set $s (i32.add (local.get $s) (local.get $xStep)))
                        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                        (br $oLoop)))))))
              (local.set $d0 (i32.add (local.get $d0) (local.get $seg)))
              (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
              (br $oyLoop)))
            (local.set $ci (i32.add (local.get $ci) (local.get $lanes)))
            (br $cLoop)))
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br $kxLoop)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $kyLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop))))

  ;; dst[0, bytes) += src[0, bytes), float by float.
  (func $addRun (param $dst i32) (param $src i32) (param $bytes i32)
    (local $i i32) (local $end4 i32)
    (local.set $end4 (i32.and (local.get $bytes) (i32.const -16)))
    (block $vDone (loop $vLoop
      (br_if $vDone (i32.ge_u (local.get $i) (local.get $end4)))
      (v128.store (i32.add (local.get $dst) (local.get $i))
        (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $i)))
          (v128.load (i32.add (local.get $src) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vLoop)))
    (block $sDone (loop $sLoop
      (br_if $sDone (i32.ge_u (local.get $i) (local.get $bytes)))
      (f32.store (i32.add (local.get $dst) (local.get $i))
        (f32.add (f32.load (i32.add (local.get $dst) (local.get $i)))
          (f32.load (i32.add (local.get $src) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $sLoop))))

  ;; dx (NHWC, zeroed here) += each patch row of cols [batch·outH·outW, kH·kW·inC] at its taps:
  ;; the adjoint of im2col. A filter row's kW taps land on kW neighbouring input pixels, so inside
  ;; the image they add as one run of kW·inC floats.
  (func (export "col2im")
    (param $cols i32) (param $dx i32) (param $batch i32) (param $inH i32) (param $inW i32)
    (param $inC i32) (param $outH i32) (param $outW i32) (param $kH i32) (param $kW i32)
    (param $sH i32) (param $sW i32) (param $pT i32) (param $pL i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $iy i32)
    (local $ix i32) (local $ix0 i32) (local $run i32) (local $tapRow i32) (local $rowBase i32)
    (local $s i32)
    (local.set $run (i32.shl (local.get $inC) (i32.const 2)))
    (local.set $tapRow (i32.mul (local.get $kW) (local.get $run)))
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.mul (i32.mul (local.get $batch) (i32.mul (local.get $inH) (local.get $inW)))
        (local.get $run)))
    (local.set $s (local.get $cols))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_u (local.get $n) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $oyDone (loop $oyLoop
        (br_if $oyDone (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $ox (i32.const 0))
        (block $oxDone (loop $oxLoop
          (br_if $oxDone (i32.ge_u (local.get $ox) (local.get $outW)))
          (local.set $ix0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $pL)))
          (local.set $ky (i32.const 0))
          (block $kyDone (loop $kyLoop
            (br_if $kyDone (i32.ge_u (local.get $ky) (local.get $kH)))
            (local.set $iy
              (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $pT))
                (local.get $ky)))
            ;; iy < 0 wraps above inH
            (if (i32.lt_u (local.get $iy) (local.get $inH)) (then
              (local.set $rowBase
                (i32.add (local.get $dx)
                  (i32.mul
                    (i32.mul (i32.add (i32.mul (local.get $n) (local.get $inH)) (local.get $iy))
                      (local.get $inW))
                    (local.get $run))))
              (if (i32.and (i32.ge_s (local.get $ix0) (i32.const 0))
                    (i32.le_s (i32.add (local.get $ix0) (local.get $kW)) (local.get $inW)))
                (then
                  (call $addRun
                    (i32.add (local.get $rowBase) (i32.mul (local.get $ix0) (local.get $run)))
                    (local.get $s) (local.get $tapRow)))
                (else
                  (local.set $kx (i32.const 0))
                  (block $kxDone (loop $kxLoop
                    (br_if $kxDone (i32.ge_u (local.get $kx) (local.get $kW)))
                    (local.set $ix (i32.add (local.get $ix0) (local.get $kx)))
                    (if (i32.lt_u (local.get $ix) (local.get $inW))
                      (then
                        (call $addRun
                          (i32.add (local.get $rowBase) (i32.mul (local.get $ix) (local.get $run)))
                          (i32.add (local.get $s) (i32.mul (local.get $kx) (local.get $run)))
                          (local.get $run))))
                    (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                    (br $kxLoop)))))))
            (local.set $s (i32.add (local.get $s) (local.get $tapRow)))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kyLoop)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxLoop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop))))
)
