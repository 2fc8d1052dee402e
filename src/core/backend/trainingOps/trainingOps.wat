;; SIMD loops for the fused training ops on the wasm backend. The module imports tfjs-backend-wasm's
;; own memory, so every pointer is a tensor's byte offset in that heap: no copies. Matrices are
;; [rows, c] float32 in channels-last order with c a multiple of 4; per-channel vectors are c
;; float32 (or float64 for running totals). Assembled into trainingOpsWasm.ts by scripts/build.mjs.
(module
  (import "env" "memory" (memory 0))

  ;; Zeroes the f32 block accumulators b1, b2 (rowBytes each).
  (func $zero2 (param $b1 i32) (param $b2 i32) (param $rowBytes i32)
    (local $k i32)
    (loop $z
      (v128.store (i32.add (local.get $b1) (local.get $k)) (v128.const i32x4 0 0 0 0))
      (v128.store (i32.add (local.get $b2) (local.get $k)) (v128.const i32x4 0 0 0 0))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br_if $z (i32.lt_u (local.get $k) (local.get $rowBytes)))))

  ;; Adds the f32 block accumulators into the f64 totals s1, s2.
  (func $fold2 (param $b1 i32) (param $b2 i32) (param $s1 i32) (param $s2 i32) (param $rowBytes i32)
    (local $k i32) (local $d i32)
    (loop $f
      (local.set $d (i32.shl (local.get $k) (i32.const 1)))
      (f64.store (i32.add (local.get $s1) (local.get $d))
        (f64.add (f64.load (i32.add (local.get $s1) (local.get $d))) (f64.promote_f32 (f32.load (i32.add (local.get $b1) (local.get $k))))))
      (f64.store (i32.add (local.get $s2) (local.get $d))
        (f64.add (f64.load (i32.add (local.get $s2) (local.get $d))) (f64.promote_f32 (f32.load (i32.add (local.get $b2) (local.get $k))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br_if $f (i32.lt_u (local.get $k) (local.get $rowBytes)))))

  ;; Per channel: s1 += sum(u), s2 += sum(u * (w - shift)), for u = w when $square is 1 (so
  ;; s1 = sum(w - shift), s2 = sum((w - shift)^2)), or u, w two matrices when it is 0.
  ;; Summed in f32 over blocks of 256 rows, then in f64 (s1, s2 must start at zero).
  (func (export "sums") (param $u i32) (param $w i32) (param $rows i32) (param $c i32) (param $shift i32)
        (param $square i32) (param $s1 i32) (param $s2 i32) (param $b1 i32) (param $b2 i32)
    (local $r i32) (local $end i32) (local $k i32) (local $rowBytes i32) (local $t v128) (local $a v128) (local $o i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $end (i32.add (local.get $r) (i32.const 256)))
        (if (i32.gt_u (local.get $end) (local.get $rows)) (then (local.set $end (local.get $rows))))
        (call $zero2 (local.get $b1) (local.get $b2) (local.get $rowBytes))
        (loop $row
          (local.set $k (i32.const 0))
          (loop $ch
            (local.set $t (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $k))) (v128.load (i32.add (local.get $shift) (local.get $k)))))
            (local.set $a (if (result v128) (local.get $square) (then (local.get $t)) (else (v128.load (i32.add (local.get $u) (local.get $k))))))
            (local.set $o (i32.add (local.get $b1) (local.get $k)))
            (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (local.get $a)))
            (local.set $o (i32.add (local.get $b2) (local.get $k)))
            (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (f32x4.mul (local.get $a) (local.get $t))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br_if $ch (i32.lt_u (local.get $k) (local.get $rowBytes))))
          (local.set $u (i32.add (local.get $u) (local.get $rowBytes)))
          (local.set $w (i32.add (local.get $w) (local.get $rowBytes)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $row (i32.lt_u (local.get $r) (local.get $end))))
        (call $fold2 (local.get $b1) (local.get $b2) (local.get $s1) (local.get $s2) (local.get $rowBytes))
        (br $blocks))))

  ;; out = p * u + q * w + r per channel (u and w may be the same matrix, q zero).
  (func (export "affine") (param $u i32) (param $w i32) (param $out i32) (param $rows i32) (param $c i32)
        (param $p i32) (param $q i32) (param $rr i32)
    (local $end i32) (local $k i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.add (local.get $out) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (if (i32.eqz (local.get $rows)) (then (return)))
    (loop $row
      (local.set $k (i32.const 0))
      (loop $ch
        (v128.store (i32.add (local.get $out) (local.get $k))
          (f32x4.add
            (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $k))) (v128.load (i32.add (local.get $u) (local.get $k))))
              (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $k))) (v128.load (i32.add (local.get $w) (local.get $k)))))
            (v128.load (i32.add (local.get $rr) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br_if $ch (i32.lt_u (local.get $k) (local.get $rowBytes))))
      (local.set $u (i32.add (local.get $u) (local.get $rowBytes)))
      (local.set $w (i32.add (local.get $w) (local.get $rowBytes)))
      (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
      (br_if $row (i32.lt_u (local.get $out) (local.get $end)))))

  ;; dx = dy where 0 < x < 6, else 0, over n floats.
  (func (export "relu6Grad") (param $dy i32) (param $x i32) (param $dx i32) (param $n i32)
    (local $i i32) (local $v128n i32) (local $v v128) (local $s f32)
    (local.set $v128n (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $v128n)))
        (local.set $v (v128.load (local.get $x)))
        (v128.store (local.get $dx)
          (v128.and (v128.load (local.get $dy))
            (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (f32x4.lt (local.get $v) (v128.const f32x4 6 6 6 6)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $sdone
      (loop $sc
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (f32.load (local.get $x)))
        (f32.store (local.get $dx)
          (select (f32.load (local.get $dy)) (f32.const 0)
            (i32.and (f32.gt (local.get $s) (f32.const 0)) (f32.lt (local.get $s) (f32.const 6)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sc))))

  ;; dW [kh, kw, c] of a depthwise convolution (multiplier 1, no dilation) from x [n, h, w, c] and
  ;; dy [n, oh, ow, c]: dW[i, j, k] = sum over (b, oy, ox) of x[b, oy*sh - padT + i, ox*sw - padL + j, k]
  ;; * dy[b, oy, ox, k]. Summed in f32 per output row into blk (kh*kw*c), then into the f64
  ;; totals acc (zeroed here), written to dw as f32.
  (func (export "depthwiseFilterGrad") (param $x i32) (param $dy i32) (param $dw i32) (param $acc i32) (param $blk i32)
        (param $n i32) (param $h i32) (param $w i32) (param $c i32) (param $oh i32) (param $ow i32)
        (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $padT i32) (param $padL i32)
    (local $b i32) (local $oy i32) (local $i i32) (local $j i32) (local $ox i32) (local $k i32)
    (local $iy i32) (local $lo i32) (local $hi i32) (local $t i32) (local $rowBytes i32) (local $taps i32)
    (local $xrow i32) (local $dyrow i32) (local $tap i32) (local $xp i32) (local $dp i32) (local $o i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $taps (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $c)))
    (local.set $k (i32.const 0))
    (block $z0 (loop $z
      (br_if $z0 (i32.ge_u (local.get $k) (local.get $taps)))
      (f64.store (i32.add (local.get $acc) (i32.shl (local.get $k) (i32.const 3))) (f64.const 0))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $z)))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $oy (i32.const 0))
      (block $oyd (loop $oyl
        (br_if $oyd (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $k (i32.const 0))
        (block $zb0 (loop $zb
          (br_if $zb0 (i32.ge_u (local.get $k) (local.get $taps)))
          (v128.store (i32.add (local.get $blk) (i32.shl (local.get $k) (i32.const 2))) (v128.const i32x4 0 0 0 0))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $zb)))
        (local.set $dyrow (i32.add (local.get $dy)
          (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oh)) (local.get $oy)) (local.get $ow)) (local.get $rowBytes))))
        (local.set $i (i32.const 0))
        (block $id (loop $il
          (br_if $id (i32.ge_u (local.get $i) (local.get $kh)))
          (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $padT)) (local.get $i)))
          (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $h)))
            (then
              (local.set $xrow (i32.add (local.get $x)
                (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $iy)) (local.get $w)) (local.get $rowBytes))))
              (local.set $j (i32.const 0))
              (block $jd (loop $jl
                (br_if $jd (i32.ge_u (local.get $j) (local.get $kw)))
                (local.set $tap (i32.add (local.get $blk)
                  (i32.mul (i32.add (i32.mul (local.get $i) (local.get $kw)) (local.get $j)) (local.get $rowBytes))))
                ;; ox from lo to hi (exclusive): 0 <= ox*sw - padL + j < w.
                (local.set $t (i32.sub (local.get $padL) (local.get $j)))
                (local.set $lo (select (i32.const 0) (i32.div_s (i32.add (local.get $t) (i32.sub (local.get $sw) (i32.const 1))) (local.get $sw)) (i32.le_s (local.get $t) (i32.const 0))))
                (local.set $t (i32.add (i32.sub (local.get $w) (i32.const 1)) (local.get $t)))
                (local.set $hi (select (i32.const 0) (i32.add (i32.div_s (local.get $t) (local.get $sw)) (i32.const 1)) (i32.lt_s (local.get $t) (i32.const 0))))
                (if (i32.gt_s (local.get $hi) (local.get $ow)) (then (local.set $hi (local.get $ow))))
                (local.set $ox (local.get $lo))
                (block $xd (loop $xl
                  (br_if $xd (i32.ge_s (local.get $ox) (local.get $hi)))
                  (local.set $xp (i32.add (local.get $xrow)
                    (i32.mul (i32.add (i32.sub (i32.mul (local.get $ox) (local.get $sw)) (local.get $padL)) (local.get $j)) (local.get $rowBytes))))
                  (local.set $dp (i32.add (local.get $dyrow) (i32.mul (local.get $ox) (local.get $rowBytes))))
                  (local.set $k (i32.const 0))
                  (loop $kl
                    (local.set $o (i32.add (local.get $tap) (local.get $k)))
                    (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o))
                      (f32x4.mul (v128.load (i32.add (local.get $xp) (local.get $k))) (v128.load (i32.add (local.get $dp) (local.get $k))))))
                    (local.set $k (i32.add (local.get $k) (i32.const 16)))
                    (br_if $kl (i32.lt_u (local.get $k) (local.get $rowBytes))))
                  (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                  (br $xl)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $jl)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $il)))
        ;; fold the row's block into the f64 totals
        (local.set $k (i32.const 0))
        (block $fd (loop $fl
          (br_if $fd (i32.ge_u (local.get $k) (local.get $taps)))
          (local.set $o (i32.add (local.get $acc) (i32.shl (local.get $k) (i32.const 3))))
          (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64.promote_f32 (f32.load (i32.add (local.get $blk) (i32.shl (local.get $k) (i32.const 2)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $fl)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl)))
    (local.set $k (i32.const 0))
    (block $wd (loop $wl
      (br_if $wd (i32.ge_u (local.get $k) (local.get $taps)))
      (f32.store (i32.add (local.get $dw) (i32.shl (local.get $k) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $k) (i32.const 3))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $wl))))
)
