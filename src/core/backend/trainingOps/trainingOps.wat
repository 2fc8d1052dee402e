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
)
